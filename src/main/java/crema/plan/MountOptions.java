package crema.plan;

import static crema.plan.Linux.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a mount's "options" list into mount(2) flags, propagation flags,
 * recursive mount_setattr attributes and the data string, as runc reads them.
 */
final class MountOptions {
    /** What one options list means. */
    record Parsed(long flags, long propagation, long attrSet, long attrClear, String data, boolean bind,
                  boolean tmpcopyup, boolean idmap, boolean recursiveIdmap) {}

    private record Flag(boolean clear, long bits) {}

    private static final Map<String, Flag> FLAGS = Map.ofEntries(
            Map.entry("defaults", new Flag(false, 0)),
            Map.entry("ro", new Flag(false, MS_RDONLY)),
            Map.entry("rw", new Flag(true, MS_RDONLY)),
            Map.entry("nosuid", new Flag(false, MS_NOSUID)),
            Map.entry("suid", new Flag(true, MS_NOSUID)),
            Map.entry("nodev", new Flag(false, MS_NODEV)),
            Map.entry("dev", new Flag(true, MS_NODEV)),
            Map.entry("noexec", new Flag(false, MS_NOEXEC)),
            Map.entry("exec", new Flag(true, MS_NOEXEC)),
            Map.entry("sync", new Flag(false, MS_SYNCHRONOUS)),
            Map.entry("async", new Flag(true, MS_SYNCHRONOUS)),
            Map.entry("dirsync", new Flag(false, MS_DIRSYNC)),
            Map.entry("remount", new Flag(false, MS_REMOUNT)),
            Map.entry("mand", new Flag(false, MS_MANDLOCK)),
            Map.entry("nomand", new Flag(true, MS_MANDLOCK)),
            Map.entry("atime", new Flag(true, MS_NOATIME)),
            Map.entry("noatime", new Flag(false, MS_NOATIME)),
            Map.entry("diratime", new Flag(true, MS_NODIRATIME)),
            Map.entry("nodiratime", new Flag(false, MS_NODIRATIME)),
            Map.entry("relatime", new Flag(false, MS_RELATIME)),
            Map.entry("norelatime", new Flag(true, MS_RELATIME)),
            Map.entry("strictatime", new Flag(false, MS_STRICTATIME)),
            Map.entry("nostrictatime", new Flag(true, MS_STRICTATIME)),
            Map.entry("lazytime", new Flag(false, MS_LAZYTIME)),
            Map.entry("nolazytime", new Flag(true, MS_LAZYTIME)),
            Map.entry("symfollow", new Flag(true, MS_NOSYMFOLLOW)),
            Map.entry("nosymfollow", new Flag(false, MS_NOSYMFOLLOW)),
            Map.entry("bind", new Flag(false, MS_BIND)),
            Map.entry("rbind", new Flag(false, MS_BIND | MS_REC)));

    private static final Map<String, Long> PROPAGATION = Map.of(
            "private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC,
            "shared", MS_SHARED, "rshared", MS_SHARED | MS_REC,
            "slave", MS_SLAVE, "rslave", MS_SLAVE | MS_REC,
            "unbindable", MS_UNBINDABLE, "runbindable", MS_UNBINDABLE | MS_REC);

    /** Recursive attributes (mount_setattr with AT_RECURSIVE). */
    private static final Map<String, Flag> ATTRS = Map.ofEntries(
            Map.entry("rro", new Flag(false, MOUNT_ATTR_RDONLY)),
            Map.entry("rrw", new Flag(true, MOUNT_ATTR_RDONLY)),
            Map.entry("rnosuid", new Flag(false, MOUNT_ATTR_NOSUID)),
            Map.entry("rsuid", new Flag(true, MOUNT_ATTR_NOSUID)),
            Map.entry("rnodev", new Flag(false, MOUNT_ATTR_NODEV)),
            Map.entry("rdev", new Flag(true, MOUNT_ATTR_NODEV)),
            Map.entry("rnoexec", new Flag(false, MOUNT_ATTR_NOEXEC)),
            Map.entry("rexec", new Flag(true, MOUNT_ATTR_NOEXEC)),
            Map.entry("rnodiratime", new Flag(false, MOUNT_ATTR_NODIRATIME)),
            Map.entry("rdiratime", new Flag(true, MOUNT_ATTR_NODIRATIME)),
            Map.entry("rnosymfollow", new Flag(false, MOUNT_ATTR_NOSYMFOLLOW)),
            Map.entry("rsymfollow", new Flag(true, MOUNT_ATTR_NOSYMFOLLOW)));

    /** The atime family sets one value in MOUNT_ATTR__ATIME. */
    private static final Map<String, Long> ATIME_ATTRS = Map.of(
            "rrelatime", MOUNT_ATTR_RELATIME, "rnoatime", MOUNT_ATTR_NOATIME,
            "rstrictatime", MOUNT_ATTR_STRICTATIME);

    /** Options that would need MOUNT_ATTR bits with no meaning of their own: refused rather than ignored. */
    private static final List<String> NOT_YET = List.of("rnorelatime", "ratime", "rnostrictatime");

    private MountOptions() {}

    /** Every option name crema understands, for `crema features`. */
    static List<String> names() {
        List<String> all = new ArrayList<>(FLAGS.keySet());
        all.addAll(PROPAGATION.keySet());
        all.addAll(ATTRS.keySet());
        all.addAll(ATIME_ATTRS.keySet());
        all.addAll(List.of("tmpcopyup", "idmap", "ridmap"));
        all.sort(null);
        return all;
    }

    static Parsed parse(List<String> options, String path) {
        long flags = 0, propagation = 0, attrSet = 0, attrClear = 0;
        boolean tmpcopyup = false, idmap = false, ridmap = false;
        List<String> data = new ArrayList<>();
        if (options != null) {
            for (int i = 0; i < options.size(); i++) {
                String o = options.get(i);
                if (o == null) throw new InvalidSpecException(path + "[" + i + "]", "must be a string");
                Flag f = FLAGS.get(o);
                Flag a = ATTRS.get(o);
                if (f != null) {
                    flags = f.clear() ? flags & ~f.bits() : flags | f.bits();
                } else if (PROPAGATION.containsKey(o)) {
                    propagation |= PROPAGATION.get(o);
                } else if (a != null) {
                    if (a.clear()) {
                        attrClear |= a.bits();
                        attrSet &= ~a.bits();
                    } else {
                        attrSet |= a.bits();
                        attrClear &= ~a.bits();
                    }
                } else if (ATIME_ATTRS.containsKey(o)) {
                    attrClear |= MOUNT_ATTR__ATIME;
                    attrSet = (attrSet & ~MOUNT_ATTR__ATIME) | ATIME_ATTRS.get(o);
                } else if (o.equals("tmpcopyup")) {
                    tmpcopyup = true;
                } else if (o.equals("idmap") || o.equals("ridmap")) {
                    idmap = true;
                    ridmap |= o.equals("ridmap");
                } else if (NOT_YET.contains(o)) {
                    throw new InvalidSpecException(path + "[" + i + "]", "mount option \"" + o + "\" is not supported yet");
                } else {
                    data.add(o);
                }
            }
        }
        return new Parsed(flags, propagation, attrSet, attrClear, String.join(",", data), (flags & MS_BIND) != 0,
                tmpcopyup, idmap, ridmap);
    }

    /** A linux.rootfsPropagation value as mount flags. */
    static long propagation(String value, String path) {
        Long p = PROPAGATION.get(value);
        if (p == null) throw new InvalidSpecException(path, "unknown propagation \"" + value + "\"");
        return p;
    }
}

package crema.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Who runs crema: the effective uid and gid, from /proc/self/status (no native
 * call, so commands that need none stay without one), and whether crema runs
 * in a user namespace other than the host's (rootless Podman runs its runtime
 * as root of the user's own namespace).
 */
public record Identity(int uid, int gid, boolean inUserNamespace) {

    /** An identity in the host's user namespace. */
    public Identity(int uid, int gid) {
        this(uid, gid, false);
    }

    public static Identity effective() {
        String status;
        String uidMap;
        try {
            status = SmallFile.readString(Path.of("/proc/self/status"));
            uidMap = SmallFile.readString(Path.of("/proc/self/uid_map"));
        } catch (IOException e) {
            throw new UncheckedIOException("read /proc/self/status and uid_map", e);
        }
        return new Identity(field(status, "Uid:"), field(status, "Gid:"), !isInitialUidMap(uidMap));
    }

    /**
     * Rootless, as runc means it: without root's privileges on the host, so no
     * mknod, no host cgroup unless delegated, no limits beyond crema's own.
     */
    public boolean rootless() {
        return uid != 0 || inUserNamespace;
    }

    /** Without CAP_SETUID/CAP_SETGID where crema runs: it may map only its own ids, and gids only with setgroups denied. */
    public boolean unprivilegedIds() {
        return uid != 0;
    }

    /** The host's user namespace maps every id to itself: "0 0 4294967295". */
    static boolean isInitialUidMap(String uidMap) {
        String[] f = uidMap.trim().split("\\s+");
        return f.length == 3 && f[0].equals("0") && f[1].equals("0") && f[2].equals("4294967295");
    }

    /** The effective id: the second number of a "Uid:" or "Gid:" line (real, effective, saved, fs). */
    static int field(String status, String name) {
        for (String line : status.split("\n")) {
            if (!line.startsWith(name)) continue;
            String[] ids = line.substring(name.length()).trim().split("\\s+");
            return Integer.parseInt(ids[1]);
        }
        throw new IllegalStateException("/proc/self/status has no " + name + " line");
    }
}

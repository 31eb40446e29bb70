package crema.plan;

import static crema.plan.Linux.*;

import crema.plan.LaunchPlan.DeviceNode;
import crema.plan.LaunchPlan.HookStep;
import crema.plan.LaunchPlan.IdMap;
import crema.plan.LaunchPlan.TimeOffset;
import crema.plan.LaunchPlan.MountKind;
import crema.plan.LaunchPlan.MountStep;
import crema.plan.LaunchPlan.NamespaceJoin;
import crema.plan.LaunchPlan.Symlink;
import crema.spec.Device;
import crema.spec.Mount;
import crema.spec.Namespace;
import crema.spec.Process;
import crema.spec.Spec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spec → launch plan: validates what the JSON types alone cannot, applies
 * runc's defaults (devices, /dev symlinks, root propagation) and resolves every
 * path, so crema-init gets nothing left to decide. Pure: no I/O beyond the
 * {@link PlanInputs} callbacks.
 */
public final class PlanBuilder {
    private static final Map<String, Long> NAMESPACE_FLAGS = Map.of(
            "pid", CLONE_NEWPID, "network", CLONE_NEWNET, "mount", CLONE_NEWNS, "ipc", CLONE_NEWIPC,
            "uts", CLONE_NEWUTS, "user", CLONE_NEWUSER, "cgroup", CLONE_NEWCGROUP, "time", CLONE_NEWTIME);

    private final Spec spec;
    private final PlanInputs in;

    private PlanBuilder(Spec spec, PlanInputs in) {
        this.spec = spec;
        this.in = in;
    }

    public static LaunchPlan build(Spec spec, PlanInputs inputs) {
        return new PlanBuilder(spec, inputs).build();
    }

    private LaunchPlan build() {
        refuseNotYetSupported();
        if (spec.root() == null) throw new InvalidSpecException("root", "must be set");
        Process p = spec.process();
        if (p == null) throw new InvalidSpecException("process", "must be set");

        long cloneFlags = 0;
        List<NamespaceJoin> joins = new ArrayList<>();
        if (spec.linux() == null) throw new InvalidSpecException("linux", "must be set");
        List<Namespace> namespaces = spec.linux().namespaces() == null
                ? List.of() : spec.linux().namespaces();
        long seen = 0;
        for (int i = 0; i < namespaces.size(); i++) {
            Namespace ns = namespaces.get(i);
            String path = "linux.namespaces[" + i + "]";
            Long flag = ns.type() == null ? null : NAMESPACE_FLAGS.get(ns.type());
            if (flag == null) throw new InvalidSpecException(path + ".type", "unknown namespace type \"" + ns.type() + "\"");
            if ((seen & flag) != 0) throw new InvalidSpecException(path, "duplicate namespace type \"" + ns.type() + "\"");
            seen |= flag;
            if (ns.path() != null && !ns.path().isEmpty()) {
                if (!ns.path().startsWith("/")) throw new InvalidSpecException(path + ".path", "must be an absolute path");
                NamespaceJoin join = new NamespaceJoin(flag, ns.path());
                // The rootfs is set up (and pivoted) in the mount namespace: a joined one is the container's, as with
                // runc and crun, but never the host's own.
                if (flag == CLONE_NEWNS && in.isHostNamespace().test(join)) {
                    throw new InvalidSpecException(path + ".path",
                            "is the host's mount namespace; the container needs a mount namespace of its own");
                }
                joins.add(join);
            } else {
                cloneFlags |= flag;
            }
        }
        if ((seen & CLONE_NEWNS) == 0) {
            throw new InvalidSpecException("linux.namespaces",
                    "the container needs a mount namespace of its own: a new one, or one joined by path");
        }
        boolean userns = (seen & CLONE_NEWUSER) != 0;
        List<IdMap> uidMap = idMappings(spec.linux().uidMappings(), "linux.uidMappings");
        List<IdMap> gidMap = idMappings(spec.linux().gidMappings(), "linux.gidMappings");
        if ((cloneFlags & CLONE_NEWUSER) != 0 && (uidMap.isEmpty() || gidMap.isEmpty())) {
            throw new InvalidSpecException("linux.uidMappings", "a new user namespace needs uidMappings and gidMappings");
        }
        if ((cloneFlags & CLONE_NEWUSER) == 0 && (!uidMap.isEmpty() || !gidMap.isEmpty())) {
            throw new InvalidSpecException("linux.uidMappings", "mappings need a new user namespace (linux.namespaces)");
        }
        List<TimeOffset> timeOffsets = timeOffsets((cloneFlags & CLONE_NEWTIME) != 0);
        String hostname = emptyToNull(spec.hostname());
        if (hostname != null && (seen & CLONE_NEWUTS) == 0) {
            throw new InvalidSpecException("hostname", "cannot be set without a private UTS namespace");
        }
        String domainname = emptyToNull(spec.domainname());
        if (domainname != null && (seen & CLONE_NEWUTS) == 0) {
            throw new InvalidSpecException("domainname", "cannot be set without a private UTS namespace");
        }

        String rootfs = in.bundle().resolve(spec.root().path()).normalize().toString();
        String propagation = spec.linux() == null ? null : emptyToNull(spec.linux().rootfsPropagation());
        long rootfsPropagation = propagation == null ? 0 : MountOptions.propagation(propagation, "linux.rootfsPropagation");
        long rootPropagation = propagation == null ? MS_REC | MS_SLAVE : rootfsPropagation;

        List<MountStep> mounts = mounts((cloneFlags & CLONE_NEWNET) != 0);
        boolean devFromHost = mounts.stream().anyMatch(m -> m.kind() == MountKind.BIND && m.destination().equals("/dev"));
        // rootless (crema itself in a user namespace, too) means no mknod either
        List<DeviceNode> devices = devFromHost ? List.of() : devices(userns || in.host().rootless());
        List<Symlink> symlinks = devFromHost ? List.of() : DefaultDevices.symlinks(in.host().kcore());

        List<String> masked = absolutePaths(spec.linux() == null ? null : spec.linux().maskedPaths(), "linux.maskedPaths");
        List<String> readonly = absolutePaths(spec.linux() == null ? null : spec.linux().readonlyPaths(), "linux.readonlyPaths");

        Integer oom = p.oomScoreAdj();
        if (oom != null && (oom < -1000 || oom > 1000)) throw new InvalidSpecException("process.oomScoreAdj", "must be between -1000 and 1000");

        List<String> sysctlKeys = new ArrayList<>();
        List<String> sysctlValues = new ArrayList<>();
        // a namespace joined by path that is the host's own is not the container's (runc: "not allowed in host network namespace")
        long owned = seen;
        for (NamespaceJoin j : joins) if (in.isHostNamespace().test(j)) owned &= ~j.nsType();
        Sysctls.check(spec.linux().sysctl(), owned, sysctlKeys, sysctlValues);
        ProcessAttributes attrs = ProcessAttributes.of(p, spec.linux(), "process");
        java.util.Map<String, String> netDevices = netDevices((cloneFlags & CLONE_NEWNET) != 0);
        List<HookStep> hooks = new ArrayList<>();
        if (spec.hooks() != null) {
            hookSteps(spec.hooks().createContainer(), HookStep.CREATE_CONTAINER, "hooks.createContainer", hooks);
            hookSteps(spec.hooks().startContainer(), HookStep.START_CONTAINER, "hooks.startContainer", hooks);
            for (var e : java.util.Map.of("hooks.prestart", nullToEmpty(spec.hooks().prestart()),
                    "hooks.createRuntime", nullToEmpty(spec.hooks().createRuntime()),
                    "hooks.poststart", nullToEmpty(spec.hooks().poststart()),
                    "hooks.poststop", nullToEmpty(spec.hooks().poststop())).entrySet()) {
                hookSteps(e.getValue(), 0, e.getKey(), new ArrayList<>());
            }
        }
        ProcessPlan pp = ProcessPlan.of(p, "process", in.newKeyring(), seccomp(in.seccomp(), p.noNewPrivileges()), attrs,
                in.preserveFds(), ProcessPlan.console(p, "process", in.consoleSocket(), true));
        if (Rootless.setgroupsDenied(in.host().caller().unprivilegedIds(), in.host().caller().gid(), gidMap)) {
            pp = pp.withoutSetgroups("process.user.additionalGids");
        }

        return new LaunchPlan(cloneFlags, List.copyOf(joins), uidMap, gidMap, timeOffsets, sysctlKeys, sysctlValues,
                hooks, netDevices, hostname, domainname, rootfs, spec.root().readonly(), in.noPivot(),
                in.host().caller().unprivilegedIds(), rootPropagation,
                rootfsPropagation, mounts, devices, symlinks, masked, readonly, pp, oom, in.fifoDir());
    }

    /** The compiled filter as crema-init loads it: before the credentials change unless no_new_privs allows later. */
    static LaunchPlan.Seccomp seccomp(PlanInputs.SeccompProgram program, boolean noNewPrivileges) {
        return program == null ? null : new LaunchPlan.Seccomp(program.bpf(), program.flags(), !noNewPrivileges,
                program.listenerPath(), program.listenerMetadata());
    }

    /** Fields later issues implement: refused by name, never silently ignored. */
    private void refuseNotYetSupported() {
        var l = spec.linux();
        if (l != null) {
            if (l.seccomp() != null && in.seccomp() == null) throw notYet("linux.seccomp");
            if (l.intelRdt() != null) {
                throw new InvalidSpecException("linux.intelRdt", in.host().resctrl()
                        ? "not supported by this version of crema yet" : "not supported here: resctrl is not mounted");
            }
            // As runc: a label for an LSM the host does not run is ignored; one it runs we cannot apply yet.
            if (emptyToNull(l.mountLabel()) != null && in.host().selinux()) throw notYet("linux.mountLabel");
        }
        Process p = spec.process();
        if (p != null) {
            if (in.host().refusesAppArmor(p.apparmorProfile())) throw notYet("process.apparmorProfile");
            if (emptyToNull(p.selinuxLabel()) != null && in.host().selinux()) throw notYet("process.selinuxLabel");
        }
    }

    private static InvalidSpecException notYet(String path) {
        return new InvalidSpecException(path, "not supported by this version of crema yet");
    }

    static final int MAX_MOUNT_STEPS = 4096;

    private List<MountStep> mounts(boolean newNetNs) {
        List<MountStep> steps = new ArrayList<>();
        List<Mount> mounts = spec.mounts() == null ? List.of() : spec.mounts();
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            String path = "mounts[" + i + "]";
            String dest = containerPath(m.destination(), path + ".destination");
            MountOptions.Parsed o = MountOptions.parse(m.options(), path + ".options");
            LaunchPlan.Extras extras = mountExtras(m, o, path);
            String type = m.type() == null ? "" : m.type();
            if (type.equals("cgroup")) {
                cgroupMount(steps, dest, o);
                continue;
            }
            boolean bind = o.bind() || type.equals("bind");
            String source = m.source() == null ? "" : m.source();
            // the kernel lets a user mount sysfs only for a network namespace it owns: bind the host's, as runc does
            if (type.equals("sysfs") && !bind && in.host().rootless() && !newNetNs) {
                steps.add(new MountStep(MountKind.BIND, false, o.flags() | MS_BIND | MS_REC, o.propagation(),
                        o.attrSet(), o.attrClear(), "/sys", dest, "", "", extras));
                continue;
            }
            if (bind) {
                if (source.isEmpty()) throw new InvalidSpecException(path + ".source", "must be set for a bind mount");
                Path src = in.bundle().resolve(source).normalize();
                long flags = o.flags() | MS_BIND;
                steps.add(new MountStep(MountKind.BIND, !in.isHostDirectory().test(src), flags, o.propagation(),
                        o.attrSet(), o.attrClear(), src.toString(), dest, "", "", extras));
            } else {
                if (type.isEmpty()) throw new InvalidSpecException(path + ".type", "must be set for a non-bind mount");
                if (extras.idmap()) throw new InvalidSpecException(path + ".options", "only a bind mount can be idmapped");
                steps.add(new MountStep(MountKind.FILESYSTEM, false, o.flags(), o.propagation(), o.attrSet(),
                        o.attrClear(), source.isEmpty() ? type : source, dest, type, o.data(), extras));
            }
        }
        // crema-init's plan holds at most MAX_MOUNT_STEPS (native-helpers/PLAN.md): say so here, by the field
        if (steps.size() > MAX_MOUNT_STEPS) {
            throw new InvalidSpecException("mounts", "at most " + MAX_MOUNT_STEPS + " mounts are allowed, got " + steps.size());
        }
        return List.copyOf(steps);
    }

    /** tmpcopyup (tmpfs only) and idmapping (option idmap/ridmap, or mappings on the mount). */
    private LaunchPlan.Extras mountExtras(Mount m, MountOptions.Parsed o, String path) {
        boolean mapped = m.uidMappings() != null || m.gidMappings() != null;
        if (o.tmpcopyup() && !"tmpfs".equals(m.type())) throw new InvalidSpecException(path + ".options", "tmpcopyup needs a tmpfs mount");
        if (!o.idmap() && !mapped) return new LaunchPlan.Extras(o.tmpcopyup(), false, false, "", "");
        List<IdMap> uid = idMappings(m.uidMappings(), path + ".uidMappings");
        List<IdMap> gid = idMappings(m.gidMappings(), path + ".gidMappings");
        if (uid.isEmpty() != gid.isEmpty()) throw new InvalidSpecException(path + ".uidMappings", "uidMappings and gidMappings go together");
        if (uid.isEmpty() && spec.linux().uidMappings() == null) {
            throw new InvalidSpecException(path + ".uidMappings", "an idmap mount without mappings needs the container's user namespace");
        }
        return new LaunchPlan.Extras(o.tmpcopyup(), true, o.recursiveIdmap(), IdMap.text(uid), IdMap.text(gid));
    }

    /**
     * A "cgroup" mount shows the container its own cgroups: on a v1 host a
     * tmpfs with one read-only bind per hierarchy, as runc lays it out; on a
     * v2 host a bind of the container's cgroup directory.
     */
    private void cgroupMount(List<MountStep> steps, String dest, MountOptions.Parsed o) {
        long flags = o.flags() & ~MS_RDONLY;
        boolean readonly = (o.flags() & MS_RDONLY) != 0;
        List<PlanInputs.CgroupDir> dirs = in.cgroupDirs();
        if (dirs.size() == 1 && dirs.get(0).name().isEmpty()) {
            steps.add(new MountStep(MountKind.BIND, false, o.flags() | MS_BIND, 0, 0, 0,
                    dirs.get(0).dir().toString(), dest, "", ""));
            return;
        }
        steps.add(new MountStep(MountKind.FILESYSTEM, false, flags, 0, 0, 0, "tmpfs", dest, "tmpfs", "mode=755"));
        for (PlanInputs.CgroupDir d : dirs) {
            long bindFlags = MS_BIND | (flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)) | (readonly ? MS_RDONLY : 0);
            steps.add(new MountStep(MountKind.BIND, false, bindFlags, 0, 0, 0, d.dir().toString(),
                    dest + "/" + d.name(), "", ""));
        }
        if (readonly) {
            steps.add(new MountStep(MountKind.FILESYSTEM, false, flags | MS_REMOUNT | MS_RDONLY, 0, 0, 0, "tmpfs",
                    dest, "tmpfs", "mode=755"));
        }
    }

    /** In a user namespace mknod is refused: the host's nodes are bind-mounted instead, as runc does. */
    private List<DeviceNode> devices(boolean bindHostNodes) {
        Map<String, DeviceNode> byPath = new LinkedHashMap<>();
        for (DeviceNode d : DefaultDevices.NODES) byPath.put(d.path(), d);
        List<Device> devices = spec.linux() == null || spec.linux().devices() == null ? List.of() : spec.linux().devices();
        for (int i = 0; i < devices.size(); i++) {
            Device d = devices.get(i);
            String path = "linux.devices[" + i + "]";
            if (d.type() == null) throw new InvalidSpecException(path + ".type", "must be set");
            int type = switch (d.type()) {
                case "c", "u" -> S_IFCHR;
                case "b" -> S_IFBLK;
                case "p" -> S_IFIFO;
                default -> throw new InvalidSpecException(path + ".type", "unknown device type \"" + d.type() + "\"");
            };
            String dest = containerPath(d.path(), path + ".path");
            if (dest.equals("/")) throw new InvalidSpecException(path + ".path", "must name a file");
            int mode = d.fileMode() == null ? 0666 : (int) (d.fileMode() & 07777);
            byPath.put(dest, new DeviceNode(type, d.major(), d.minor(), mode,
                    d.uid() == null ? 0 : d.uid(), d.gid() == null ? 0 : d.gid(), false, dest));
        }
        if (!bindHostNodes) return List.copyOf(byPath.values());
        return byPath.values().stream().map(d -> new DeviceNode(d.type(), d.major(), d.minor(), d.permissions(), d.uid(),
                d.gid(), true, d.path())).toList();
    }

    static List<IdMap> idMappings(List<crema.spec.IdMapping> maps, String field) {
        if (maps == null) return List.of();
        if (maps.size() > 340) throw new InvalidSpecException(field, "at most 340 mappings are allowed");
        List<IdMap> out = new ArrayList<>();
        for (int i = 0; i < maps.size(); i++) {
            var m = maps.get(i);
            if (m.size() <= 0) throw new InvalidSpecException(field + "[" + i + "].size", "must be positive");
            out.add(new IdMap(m.containerID(), m.hostID(), m.size()));
        }
        return List.copyOf(out);
    }

    /** linux.timeOffsets: only "monotonic" and "boottime" clocks exist, and only in a new time namespace. */
    private List<TimeOffset> timeOffsets(boolean newTimeNs) {
        var offsets = spec.linux() == null ? null : spec.linux().timeOffsets();
        if (offsets == null || offsets.isEmpty()) return List.of();
        if (!newTimeNs) throw new InvalidSpecException("linux.timeOffsets", "needs a new time namespace (linux.namespaces)");
        List<TimeOffset> out = new ArrayList<>();
        for (var e : offsets.entrySet()) {
            if (!e.getKey().equals("monotonic") && !e.getKey().equals("boottime")) {
                throw new InvalidSpecException("linux.timeOffsets[\"" + e.getKey() + "\"]", "unknown clock: must be monotonic or boottime");
            }
            if (e.getValue().nanosecs() < 0 || e.getValue().nanosecs() > 999_999_999L) {
                throw new InvalidSpecException("linux.timeOffsets[\"" + e.getKey() + "\"].nanosecs", "must be below one second");
            }
            out.add(new TimeOffset(e.getKey(), e.getValue().secs(), e.getValue().nanosecs()));
        }
        return List.copyOf(out);
    }

    /** Validates hooks (absolute path, positive timeout) and keeps those crema-init runs. */
    private static void hookSteps(List<crema.spec.Hook> hooks, int kind, String field, List<HookStep> out) {
        if (hooks == null) return;
        for (int i = 0; i < hooks.size(); i++) {
            var h = hooks.get(i);
            if (h.path() == null || !h.path().startsWith("/")) {
                throw new InvalidSpecException(field + "[" + i + "].path", "must be an absolute path");
            }
            if (h.timeout() != null && h.timeout() <= 0) throw new InvalidSpecException(field + "[" + i + "].timeout", "must be positive");
            if (kind != 0) {
                out.add(new HookStep(kind, h.timeout() == null ? 0 : h.timeout(), h.path(),
                        h.args() == null ? List.of() : List.copyOf(h.args()), h.env() == null ? List.of() : List.copyOf(h.env())));
            }
        }
    }

    /** linux.netDevices: host interface → name in the container, which needs its own new network namespace. */
    private java.util.Map<String, String> netDevices(boolean newNetNs) {
        var devices = spec.linux().netDevices();
        if (devices == null || devices.isEmpty()) return java.util.Map.of();
        if (!newNetNs) throw new InvalidSpecException("linux.netDevices", "needs a new network namespace (linux.namespaces)");
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (var e : devices.entrySet()) {
            String field = "linux.netDevices[\"" + e.getKey() + "\"]";
            String name = e.getValue() == null || emptyToNull(e.getValue().name()) == null ? e.getKey() : e.getValue().name();
            for (String n : List.of(e.getKey(), name)) {
                if (n.isEmpty() || n.length() > 15 || n.equals(".") || n.equals("..") || !n.matches("[^/:\\s]+")) {
                    throw new InvalidSpecException(field, "\"" + n + "\" is not a valid interface name");
                }
            }
            out.put(e.getKey(), name);
        }
        return out;
    }

    private static <T> List<T> nullToEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static List<String> absolutePaths(List<String> paths, String field) {
        if (paths == null) return List.of();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            String p = paths.get(i);
            if (p == null || !p.startsWith("/")) throw new InvalidSpecException(field + "[" + i + "]", "must be an absolute path");
            out.add(Path.of(p).normalize().toString());
        }
        return List.copyOf(out);
    }

    /** A path inside the container, made absolute and cleaned (runc accepts relative destinations). */
    private static String containerPath(String p, String field) {
        if (p == null || p.isEmpty()) throw new InvalidSpecException(field, "must be set");
        if (p.indexOf('\0') >= 0) throw new InvalidSpecException(field, "must not contain NUL");
        return Path.of("/").resolve(p).normalize().toString();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}

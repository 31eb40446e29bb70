package crema.plan;

import static crema.plan.Linux.*;

import crema.plan.LaunchPlan.CapabilitySets;
import crema.plan.LaunchPlan.DeviceNode;
import crema.plan.LaunchPlan.MountKind;
import crema.plan.LaunchPlan.MountStep;
import crema.plan.LaunchPlan.NamespaceJoin;
import crema.plan.LaunchPlan.RlimitStep;
import crema.plan.LaunchPlan.Symlink;
import crema.spec.Device;
import crema.spec.Mount;
import crema.spec.Namespace;
import crema.spec.Process;
import crema.spec.Rlimit;
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
        List<Namespace> namespaces = spec.linux() == null || spec.linux().namespaces() == null
                ? List.of() : spec.linux().namespaces();
        long seen = 0;
        for (int i = 0; i < namespaces.size(); i++) {
            Namespace ns = namespaces.get(i);
            String path = "linux.namespaces[" + i + "]";
            Long flag = NAMESPACE_FLAGS.get(ns.type());
            if (flag == null) throw new InvalidSpecException(path + ".type", "unknown namespace type \"" + ns.type() + "\"");
            if ((seen & flag) != 0) throw new InvalidSpecException(path, "duplicate namespace type \"" + ns.type() + "\"");
            seen |= flag;
            if (flag == CLONE_NEWUSER || flag == CLONE_NEWTIME) {
                throw new InvalidSpecException(path, ns.type() + " namespaces are not supported yet");
            }
            if (ns.path() != null && !ns.path().isEmpty()) {
                if (!ns.path().startsWith("/")) throw new InvalidSpecException(path + ".path", "must be an absolute path");
                joins.add(new NamespaceJoin(flag, ns.path()));
            } else {
                cloneFlags |= flag;
            }
        }
        if ((cloneFlags & CLONE_NEWNS) == 0) {
            throw new InvalidSpecException("linux.namespaces", "a new mount namespace is required");
        }
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

        List<MountStep> mounts = mounts();
        boolean devFromHost = mounts.stream().anyMatch(m -> m.kind() == MountKind.BIND && m.destination().equals("/dev"));
        List<DeviceNode> devices = devFromHost ? List.of() : devices();
        List<Symlink> symlinks = devFromHost ? List.of() : DefaultDevices.symlinks(in.hostHasKcore());

        List<String> masked = absolutePaths(spec.linux() == null ? null : spec.linux().maskedPaths(), "linux.maskedPaths");
        List<String> readonly = absolutePaths(spec.linux() == null ? null : spec.linux().readonlyPaths(), "linux.readonlyPaths");

        if (p.args() == null || p.args().isEmpty() || p.args().get(0).isEmpty()) {
            throw new InvalidSpecException("process.args", "must be a non-empty array");
        }
        List<String> env = p.env() == null ? List.of() : p.env();
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i).indexOf('=') <= 0) throw new InvalidSpecException("process.env[" + i + "]", "must be KEY=VALUE");
        }
        if (p.cwd() == null || !p.cwd().startsWith("/")) throw new InvalidSpecException("process.cwd", "must be an absolute path");
        long uid = p.user() == null ? 0 : p.user().uid();
        long gid = p.user() == null ? 0 : p.user().gid();
        Long umask = p.user() == null ? null : p.user().umask();
        if (umask != null && (umask < 0 || umask > 0777)) throw new InvalidSpecException("process.user.umask", "must be between 0 and 0777");
        List<Long> groups = p.user() == null || p.user().additionalGids() == null ? List.of() : p.user().additionalGids();
        Integer oom = p.oomScoreAdj();
        if (oom != null && (oom < -1000 || oom > 1000)) throw new InvalidSpecException("process.oomScoreAdj", "must be between -1000 and 1000");

        return new LaunchPlan(cloneFlags, List.copyOf(joins), hostname, domainname, rootfs, spec.root().readonly(),
                in.noPivot(), rootPropagation, rootfsPropagation, mounts, devices, symlinks, masked, readonly,
                List.copyOf(p.args()), List.copyOf(env), Path.of(p.cwd()).normalize().toString(), uid, gid, umask,
                List.copyOf(groups), rlimits(p), capabilities(p), p.noNewPrivileges(), in.newKeyring(), oom, in.fifoDir(),
                in.preserveFds());
    }

    /** Fields later issues implement: refused by name, never silently ignored. */
    private void refuseNotYetSupported() {
        var l = spec.linux();
        if (spec.hooks() != null && hasHooks()) throw notYet("hooks");
        if (l == null) return;
        if (l.seccomp() != null) throw notYet("linux.seccomp");
        if (l.sysctl() != null && !l.sysctl().isEmpty()) throw notYet("linux.sysctl");
        if (l.uidMappings() != null && !l.uidMappings().isEmpty()) throw notYet("linux.uidMappings");
        if (l.gidMappings() != null && !l.gidMappings().isEmpty()) throw notYet("linux.gidMappings");
        if (l.timeOffsets() != null && !l.timeOffsets().isEmpty()) throw notYet("linux.timeOffsets");
        if (l.intelRdt() != null) throw notYet("linux.intelRdt");
        if (l.personality() != null) throw notYet("linux.personality");
        if (l.memoryPolicy() != null) throw notYet("linux.memoryPolicy");
        if (l.netDevices() != null && !l.netDevices().isEmpty()) throw notYet("linux.netDevices");
        Process p = spec.process();
        if (p != null) {
            if (p.terminal()) throw notYet("process.terminal");
            if (p.scheduler() != null) throw notYet("process.scheduler");
            if (p.ioPriority() != null) throw notYet("process.ioPriority");
            if (p.execCPUAffinity() != null) throw notYet("process.execCPUAffinity");
        }
    }

    private boolean hasHooks() {
        var h = spec.hooks();
        return notEmpty(h.prestart()) || notEmpty(h.createRuntime()) || notEmpty(h.createContainer())
                || notEmpty(h.startContainer()) || notEmpty(h.poststart()) || notEmpty(h.poststop());
    }

    private static boolean notEmpty(List<?> l) {
        return l != null && !l.isEmpty();
    }

    private static InvalidSpecException notYet(String path) {
        return new InvalidSpecException(path, "not supported by this version of crema yet");
    }

    private List<MountStep> mounts() {
        List<MountStep> steps = new ArrayList<>();
        List<Mount> mounts = spec.mounts() == null ? List.of() : spec.mounts();
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            String path = "mounts[" + i + "]";
            if (m.uidMappings() != null || m.gidMappings() != null) throw notYet(path + ".uidMappings");
            String dest = containerPath(m.destination(), path + ".destination");
            MountOptions.Parsed o = MountOptions.parse(m.options(), path + ".options");
            String type = m.type() == null ? "" : m.type();
            if (type.equals("cgroup")) {
                cgroupMount(steps, dest, o);
                continue;
            }
            boolean bind = o.bind() || type.equals("bind");
            String source = m.source() == null ? "" : m.source();
            if (bind) {
                if (source.isEmpty()) throw new InvalidSpecException(path + ".source", "must be set for a bind mount");
                Path src = in.bundle().resolve(source).normalize();
                long flags = o.flags() | MS_BIND;
                steps.add(new MountStep(MountKind.BIND, !in.isHostDirectory().test(src), flags, o.propagation(),
                        o.attrSet(), o.attrClear(), src.toString(), dest, "", ""));
            } else {
                if (type.isEmpty()) throw new InvalidSpecException(path + ".type", "must be set for a non-bind mount");
                steps.add(new MountStep(MountKind.FILESYSTEM, false, o.flags(), o.propagation(), o.attrSet(),
                        o.attrClear(), source.isEmpty() ? type : source, dest, type, o.data()));
            }
        }
        return List.copyOf(steps);
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

    private List<DeviceNode> devices() {
        Map<String, DeviceNode> byPath = new LinkedHashMap<>();
        for (DeviceNode d : DefaultDevices.NODES) byPath.put(d.path(), d);
        List<Device> devices = spec.linux() == null || spec.linux().devices() == null ? List.of() : spec.linux().devices();
        for (int i = 0; i < devices.size(); i++) {
            Device d = devices.get(i);
            String path = "linux.devices[" + i + "]";
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
        return List.copyOf(byPath.values());
    }

    private static List<RlimitStep> rlimits(Process p) {
        List<RlimitStep> steps = new ArrayList<>();
        List<Rlimit> rlimits = p.rlimits() == null ? List.of() : p.rlimits();
        long seen = 0;
        for (int i = 0; i < rlimits.size(); i++) {
            Rlimit r = rlimits.get(i);
            String path = "process.rlimits[" + i + "]";
            int resource = RlimitNames.resource(r.type(), path + ".type");
            if ((seen & (1L << resource)) != 0) throw new InvalidSpecException(path + ".type", "duplicate rlimit \"" + r.type() + "\"");
            seen |= 1L << resource;
            if (Long.compareUnsigned(r.soft(), r.hard()) > 0) throw new InvalidSpecException(path, "soft limit is above the hard limit");
            steps.add(new RlimitStep(resource, r.soft(), r.hard()));
        }
        return List.copyOf(steps);
    }

    private static CapabilitySets capabilities(Process p) {
        var c = p.capabilities();
        if (c == null) return new CapabilitySets(0, 0, 0, 0, 0);
        String base = "process.capabilities.";
        return new CapabilitySets(
                CapabilityNames.mask(c.bounding(), base + "bounding"),
                CapabilityNames.mask(c.effective(), base + "effective"),
                CapabilityNames.mask(c.inheritable(), base + "inheritable"),
                CapabilityNames.mask(c.permitted(), base + "permitted"),
                CapabilityNames.mask(c.ambient(), base + "ambient"));
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

package crema.cli;

import crema.spec.Capabilities;
import crema.spec.DeviceCgroup;
import crema.spec.IdMapping;
import crema.spec.Linux;
import crema.spec.Mount;
import crema.spec.Namespace;
import crema.spec.Process;
import crema.spec.Resources;
import crema.spec.Rlimit;
import crema.spec.Root;
import crema.spec.Spec;
import crema.spec.SpecJson;
import crema.spec.User;
import crema.state.ContainerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** `spec`: writes the default config.json a runc user knows, for a rootfs/ beside it. */
final class SpecCommand {

    int run(List<String> argv, Globals g) {
        Args a = Args.parse(argv, Commands.SPEC);
        a.id("spec", 0, 0);
        Path config = Path.of(a.get("bundle")).resolve("config.json");
        if (Files.exists(config)) throw new ContainerException("File " + config + " exists. Remove it first");
        try {
            Spec spec = defaultSpec(true);
            if (a.has("rootless")) {
                crema.sys.Identity me = crema.sys.Identity.effective();
                spec = rootless(spec, me.uid(), me.gid());
            }
            Files.write(config, SpecJson.write(spec));
        } catch (IOException e) {
            throw new UncheckedIOException("write " + config, e);
        }
        return 0;
    }

    static Spec defaultSpec(boolean terminal) {
        List<String> caps = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
        Process process = new Process(terminal, null, new User(0, 0, null, null, null), List.of("sh"), null,
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"), "/",
                new Capabilities(caps, caps, null, caps, null), List.of(new Rlimit("RLIMIT_NOFILE", 1024, 1024)),
                true, null, null, null, null, null, null);
        List<Mount> mounts = List.of(
                mount("/proc", "proc", "proc", List.of()),
                mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
        List<Namespace> namespaces = List.of(new Namespace("pid", null), new Namespace("network", null),
                new Namespace("ipc", null), new Namespace("uts", null), new Namespace("mount", null),
                new Namespace("cgroup", null));
        Resources resources = new Resources(List.of(new DeviceCgroup(false, null, null, null, "rwm")), null, null,
                null, null, null, null, null, null);
        List<String> masked = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi");
        List<String> readonly = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
        Linux linux = new Linux(null, null, null, null, resources, null, namespaces, null, null, null, masked, readonly,
                null, null, null, null, null);
        return new Spec("1.3.0", process, new Root("rootfs", true), "crema", null, mounts, null, null, linux);
    }

    /**
     * The default spec for a user without privileges, as `runc spec --rootless`
     * makes it: a user namespace mapping root to the caller alone, no network
     * namespace (so /sys is the host's, bound read-only: a user may mount
     * sysfs only in a network namespace of its own), no uid=/gid= mount
     * options (those ids are not mapped) and no cgroup resources.
     */
    static Spec rootless(Spec spec, long uid, long gid) {
        Linux l = spec.linux();
        List<Namespace> namespaces = new java.util.ArrayList<>();
        for (Namespace ns : l.namespaces()) {
            if (!ns.type().equals("network") && !ns.type().equals("user")) namespaces.add(ns);
        }
        namespaces.add(new Namespace("user", null));
        List<Mount> mounts = new java.util.ArrayList<>();
        for (Mount m : spec.mounts()) {
            if (m.destination().equals("/sys")) {
                mounts.add(mount("/sys", "none", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro")));
                continue;
            }
            List<String> options = m.options() == null ? List.of()
                    : m.options().stream().filter(o -> !o.startsWith("uid=") && !o.startsWith("gid=")).toList();
            mounts.add(mount(m.destination(), m.type(), m.source(), options));
        }
        Linux rootless = new Linux(List.of(new IdMapping(0, uid, 1)), List.of(new IdMapping(0, gid, 1)), l.timeOffsets(),
                l.sysctl(), null, l.cgroupsPath(), namespaces, l.devices(), l.seccomp(), l.rootfsPropagation(),
                l.maskedPaths(), l.readonlyPaths(), l.mountLabel(), l.intelRdt(), l.personality(), l.memoryPolicy(),
                l.netDevices());
        return new Spec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(), spec.domainname(), mounts,
                spec.hooks(), spec.annotations(), rootless);
    }

    private static Mount mount(String destination, String type, String source, List<String> options) {
        return new Mount(destination, type, source, options.isEmpty() ? null : options, null, null);
    }
}

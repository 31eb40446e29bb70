package crema.cli;

import crema.spec.Capabilities;
import crema.spec.DeviceCgroup;
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
        if (a.has("rootless")) throw new UsageException("--rootless: rootless containers are not supported yet");
        Path config = Path.of(a.get("bundle")).resolve("config.json");
        if (Files.exists(config)) throw new ContainerException("File " + config + " exists. Remove it first");
        try {
            Files.write(config, SpecJson.write(defaultSpec(true)));
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

    private static Mount mount(String destination, String type, String source, List<String> options) {
        return new Mount(destination, type, source, options.isEmpty() ? null : options, null, null);
    }
}

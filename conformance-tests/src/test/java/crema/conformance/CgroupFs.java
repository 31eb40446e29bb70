package crema.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The host's view of a container's cgroup, on v1 (or hybrid) and v2 hosts alike. */
final class CgroupFs {
    static final Path ROOT = Path.of("/sys/fs/cgroup");
    /** A unified host: one tree, v2 file names. */
    static final boolean V2 = Files.exists(ROOT.resolve("cgroup.controllers"));

    private CgroupFs() {}

    /** The directory of a process's cgroup for a controller (the one directory on v2). */
    static Path dir(int pid, String controller) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "cgroup"))) {
                String[] f = line.split(":", 3);
                if (V2 && f[0].equals("0")) return Path.of(ROOT + f[2]);
                if (!V2 && List.of(f[1].split(",")).contains(controller)) return Path.of(ROOT.resolve(controller) + f[2]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("pid " + pid + " has no " + controller + " cgroup");
    }

    /** A cgroup file of a process, trimmed. */
    static String read(int pid, String controller, String file) {
        try {
            return Files.readString(dir(pid, controller).resolve(file)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the host mounts a v1 controller (always false on v2). */
    static boolean v1Has(String controller) {
        return !V2 && Files.isDirectory(ROOT.resolve(controller));
    }

    /** utime + stime of a process, in clock ticks: it stops changing when the process is frozen. */
    static long cpuTicks(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The host's first virtio or SCSI disk as "major:minor", or null. */
    static String aDisk() {
        for (String name : List.of("vda", "sda", "xvda", "nvme0n1")) {
            Path dev = Path.of("/sys/block", name, "dev");
            if (Files.exists(dev)) {
                try {
                    return Files.readString(dev).trim();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return null;
    }
}

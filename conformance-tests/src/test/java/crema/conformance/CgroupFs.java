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

    /**
     * Every tree a container's cgroup has a directory in: on v1 each mounted
     * hierarchy (with a hybrid host's cgroup2 tree and name=systemd), on v2 the root.
     */
    static List<Path> hierarchies() {
        if (V2) return List.of(ROOT);
        try (var s = Files.list(ROOT)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A test's own cgroup: the absolute cgroupsPath "/name", made in every tree
     * (a v1 cpuset gets its parent's cpus and mems, or it refuses tasks). Remove it with {@link #remove}.
     */
    static List<Path> makeEverywhere(String name) {
        List<Path> dirs = new java.util.ArrayList<>();
        try {
            for (Path h : hierarchies()) {
                Path d = Files.createDirectory(h.resolve(name));
                dirs.add(d);
                for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                    if (!V2 && Files.exists(d.resolve(f))) Files.writeString(d.resolve(f), Files.readString(h.resolve(f)).trim());
                }
            }
        } catch (IOException e) {
            remove(dirs);
            throw new UncheckedIOException(e);
        }
        return dirs;
    }

    /** Moves a host process into each directory. */
    static void moveInto(List<Path> dirs, long pid) throws IOException {
        for (Path d : dirs) Files.writeString(d.resolve("cgroup.procs"), Long.toString(pid));
    }

    /** Whether pid is listed in the directory's cgroup.procs. */
    static boolean holds(Path dir, long pid) throws IOException {
        return Files.readAllLines(dir.resolve("cgroup.procs")).contains(Long.toString(pid));
    }

    /** Removes a test's cgroup directories (empty by now), retrying while the kernel still counts an exited task. */
    static void remove(List<Path> dirs) {
        for (Path d : dirs) {
            for (int attempt = 0; ; attempt++) {
                try {
                    Files.deleteIfExists(d);
                    break;
                } catch (IOException e) {
                    if (attempt >= 100) throw new UncheckedIOException(e);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
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

package crema.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of differential/probe.sh as the process of a config, under one runtime, and what it saw,
 * normalised so that two runtimes' runs compare line by line: one "section: line" string each.
 */
final class ProbeRun {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final List<String> NAMESPACES = List.of("cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
            "time", "time_for_children", "user", "uts");
    /** The cgroup files read from the host: v1 (controller, file), or a v2 file. */
    private static final List<List<String>> V1_FILES = List.of(List.of("memory", "memory.limit_in_bytes"),
            List.of("memory", "memory.soft_limit_in_bytes"), List.of("memory", "memory.memsw.limit_in_bytes"),
            List.of("memory", "memory.swappiness"), List.of("memory", "memory.oom_control"),
            List.of("cpu", "cpu.shares"), List.of("cpu", "cpu.cfs_quota_us"), List.of("cpu", "cpu.cfs_period_us"),
            List.of("cpuset", "cpuset.cpus"), List.of("cpuset", "cpuset.mems"), List.of("pids", "pids.max"),
            List.of("blkio", "blkio.weight"), List.of("devices", "devices.list"), List.of("freezer", "freezer.state"));
    private static final List<String> V2_FILES = List.of("memory.max", "memory.low", "memory.high", "memory.swap.max",
            "pids.max", "cpu.max", "cpu.weight", "cpuset.cpus", "cpuset.mems", "io.weight");

    private ProbeRun() {}

    /**
     * Runs config (a tree, not changed) under the runtime binary in a fresh busybox bundle under dir,
     * with a state root of its own there; bounded, and leaves no container behind.
     */
    static List<String> run(String runtime, Map<String, Object> config, Path dir) throws IOException, InterruptedException {
        String id = "diff" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        Path bundle = Files.createDirectories(dir.resolve(id));
        Path rootfs = bundle.resolve("rootfs");
        Bundle.makeRootfs(rootfs);
        Path probe = rootfs.resolve(".probe.sh");
        try (var in = ProbeRun.class.getResourceAsStream("/differential/probe.sh")) {
            Files.write(probe, in.readAllBytes());
        }
        Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path fifo = rootfs.resolve(".probe-fifo");
        exec(List.of("mkfifo", "-m", "0666", fifo.toString()));
        // The engines' bind sources (hosts, resolv.conf, shm...): placeholders for files this run makes.
        Path files = Files.createDirectories(bundle.resolve("files"));
        Path dirs = Files.createDirectories(bundle.resolve("dirs"));
        for (String name : List.of("hostname", "hosts", "resolv.conf", ".containerenv")) {
            Files.writeString(files.resolve(name), name.equals("hostname") ? "probe\n" : "");
        }
        Files.createDirectories(dirs.resolve("shm"));
        String json = Json.write(config).replace("@FILES@", files.toString()).replace("@DIRS@", dirs.toString())
                .replace("@ID@", id);
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) Json.parse(json);
        @SuppressWarnings("unchecked")
        Map<String, Object> process = (Map<String, Object>) c.get("process");
        process.put("args", List.of("/bin/sh", "/.probe.sh", id));
        process.put("terminal", false);
        Files.writeString(bundle.resolve("config.json"), Json.write(c));
        chownToMappedRoot(c, bundle);

        Path state = bundle.resolve("state");
        Path out = bundle.resolve("out");
        Path err = bundle.resolve("err");
        Process p = new ProcessBuilder(runtime, "--root", state.toString(), "run", "--bundle", bundle.toString(), id)
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        List<String> seen = new ArrayList<>();
        try {
            // Generous: a loaded 2-core CI machine once took over 30 s to reach "== wait" under both runtimes.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (p.isAlive() && !Files.readString(out).contains("== wait\n") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (p.isAlive() && Files.readString(out).contains("== wait\n")) {
                seen.addAll(hostCgroupFiles(id));
                release(fifo);
            }
            if (!p.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                p.destroyForcibly();
                seen.add("run: timed out");
            } else {
                seen.add("run: exit " + p.exitValue());
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            exec(List.of(runtime, "--root", state.toString(), "delete", "--force", id));
        }
        String text = Files.readString(out);
        if (!text.contains("== end")) seen.add("stderr: " + Files.readString(err).replace(id, "<id>").strip());
        List<String> all = new ArrayList<>(normalise(text.replace(id, "<id>").replace(bundle.toString(), "<bundle>")));
        all.addAll(seen);
        return all;
    }

    /** With a user namespace, the bundle's files belong to the container's root, as an engine lays them out. */
    @SuppressWarnings("unchecked")
    private static void chownToMappedRoot(Map<String, Object> config, Path bundle) throws IOException, InterruptedException {
        Map<String, Object> linux = (Map<String, Object>) config.get("linux");
        long uid = -1, gid = -1;
        for (Object m : linux == null || linux.get("uidMappings") == null ? List.of() : (List<Object>) linux.get("uidMappings")) {
            if (((Map<String, Number>) m).get("containerID").longValue() == 0) uid = ((Map<String, Number>) m).get("hostID").longValue();
        }
        for (Object m : linux == null || linux.get("gidMappings") == null ? List.of() : (List<Object>) linux.get("gidMappings")) {
            if (((Map<String, Number>) m).get("containerID").longValue() == 0) gid = ((Map<String, Number>) m).get("hostID").longValue();
        }
        if (uid < 0 || gid < 0) return;
        for (String d : List.of("rootfs", "files", "dirs")) exec(List.of("chown", "-hR", uid + ":" + gid, bundle.resolve(d).toString()));
    }

    /** Lets the probe go on: a fifo opened read-write never blocks, whether the probe still reads or not. */
    private static void release(Path fifo) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("go\n".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    /** The probe's cgroup files as the host sees them (the process is found by the id in its argv). */
    private static List<String> hostCgroupFiles(String id) {
        int pid = ProcessHandle.allProcesses()
                .filter(h -> h.info().arguments().map(a -> a.length > 1 && a[1].equals(id)).orElse(false))
                .mapToInt(h -> (int) h.pid()).findFirst().orElse(-1);
        List<String> lines = new ArrayList<>();
        if (pid < 0) return List.of("host-cgroup: probe process not found");
        if (CgroupFs.V2) {
            for (String file : V2_FILES) lines.add(hostCgroupFile(pid, "", file));
        } else {
            for (List<String> f : V1_FILES) lines.add(hostCgroupFile(pid, f.get(0), f.get(1)));
        }
        return lines.stream().filter(l -> l != null).toList();
    }

    private static String hostCgroupFile(int pid, String controller, String file) {
        try {
            if (!CgroupFs.V2 && !CgroupFs.v1Has(controller)) return null;
            Path f = CgroupFs.dir(pid, controller).resolve(file);
            if (!Files.exists(f)) return null;
            String value = Files.readString(f).strip();
            // devices.list is a set; its order is the order the rules were written in.
            if (file.equals("devices.list")) value = String.join(";", value.lines().sorted().toList());
            value = value.replace('\n', ';');
            return "host-cgroup: " + file + " " + (file.equals("memory.oom_control") ? value.split(";")[0] : value);
        } catch (IOException | UncheckedIOException | AssertionError e) {
            return "host-cgroup: " + file + " unreadable";
        }
    }

    /** The probe's sections, each line rewritten to what must match between two runs. */
    static List<String> normalise(String output) {
        Map<String, String> hostNs = hostNamespaces();
        List<String> lines = new ArrayList<>();
        String section = "preamble";
        for (String line : output.split("\n")) {
            if (line.startsWith("== ")) {
                section = line.substring(3);
                continue;
            }
            if (line.isBlank() || section.equals("wait") || section.equals("end")) continue;
            String l = switch (section) {
                case "mountinfo" -> mountinfo(line);
                case "ns" -> namespace(line, hostNs);
                case "status", "limits" -> line.strip().replaceAll("\\s+", " ");
                default -> line;
            };
            lines.add(section + ": " + l);
        }
        // find lists /dev in directory order, which is the order the runtime made the entries in.
        List<String> dev = lines.stream().filter(l -> l.startsWith("dev: ")).sorted().toList();
        lines.removeIf(l -> l.startsWith("dev: "));
        lines.addAll(dev);
        return lines;
    }

    /**
     * A mountinfo line as "mount point, fs type, per-mount options, per-super options, propagation":
     * ids, device numbers, the root within the fs and the source (host paths) dropped.
     */
    static String mountinfo(String line) {
        String[] halves = line.split(" - ", 2);
        String[] f = halves[0].split(" ");
        String[] s = halves.length > 1 ? halves[1].split(" ") : new String[] {"?", "?", "?"};
        List<String> propagation = new ArrayList<>();
        for (int i = 6; i < f.length; i++) {
            if (f[i].startsWith("shared:")) propagation.add("shared");
            else if (f[i].startsWith("master:")) propagation.add("slave");
            else if (f[i].equals("unbindable")) propagation.add("unbindable");
        }
        if (propagation.isEmpty()) propagation.add("private");
        return f[4] + " " + s[0] + " " + f[5] + " " + (s.length > 2 ? s[2] : "") + " " + String.join(",", propagation);
    }

    /** "name new" or "name host": whether the namespace is the host's (the test's own) or another. */
    private static String namespace(String line, Map<String, String> hostNs) {
        String[] f = line.split(" ", 2);
        if (f.length < 2 || f[1].isBlank()) return f[0] + " unreadable";
        return f[0] + (f[1].equals(hostNs.get(f[0])) ? " host" : " new");
    }

    private static Map<String, String> hostNamespaces() {
        Map<String, String> ns = new LinkedHashMap<>();
        for (String n : NAMESPACES) {
            try {
                ns.put(n, Files.readSymbolicLink(Path.of("/proc/self/ns", n)).toString());
            } catch (IOException e) {
                ns.put(n, "none");
            }
        }
        return ns;
    }

    private static void exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
    }
}

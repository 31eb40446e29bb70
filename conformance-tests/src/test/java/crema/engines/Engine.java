package crema.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * What the engine suites share: running an engine's client (with a timeout,
 * or on a terminal through script(1)), starting and stopping a daemon in
 * private directories, the busybox image (BusyboxImage: there is no
 * registry), and what this crema can do.
 * Each suite uses crema's installed path (system property crema.binary).
 */
final class Engine {
    static final Path CREMA = Path.of(System.getProperty("crema.binary", "target/crema-install/bin/crema")).toAbsolutePath();
    /** Persistent dirs (graph roots, images) and volatile ones (sockets, state); each suite takes a subdir. */
    static final Path VAR = Path.of("/var/lib/crema-engines");
    static final Path RUN = Path.of("/run/crema-engines");
    /**
     * The working directory of every engine command, in the build directory and kept for the whole
     * run: conmon leaves a file "oom" there after an OOM kill, and it hands its directory on to the
     * exit command it starts when the container ends (podman container cleanup), which leaves the
     * container "stopped" instead of "exited" if that directory is gone by then.
     */
    static final Path WORKDIR = Path.of("target", "engine-workdir").toAbsolutePath();
    static final String IMAGE = "localhost/busybox-smoke:latest";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** What containers run to show their limits, an OOM kill, a read-only rootfs, a terminal. */
    static final String MEMORY_LIMIT = "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max";
    static final String PIDS_LIMIT = "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max";
    static final String EAT_MEMORY = "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived ${#x}";
    static final String READ_ONLY = "touch /x 2>/dev/null && echo rootfs-writable || echo rootfs-ro; touch /tmp/y && echo tmp-rw";
    static final String ON_A_TTY = "'tty; test -t 0 && test -t 1 && echo is-a-tty; exit 4'";
    static final String EXEC_ON_A_TTY = "'tty; test -t 0 && echo is-a-tty'";
    static final String PID1_CMDLINE = "echo exec-ok; cat /proc/1/cmdline | tr '\\0' ' '";
    static final String TRAP_TERM = "trap 'echo got-sigterm; exit 0' TERM; echo started; while :; do sleep 0.2; done";

    private Engine() {}

    /** The output of a terminal check (ON_A_TTY, EXEC_ON_A_TTY) with its exit code. */
    static void assertTerminal(Result r, int exit) {
        assertContains(r.out(), "/dev/pts/");
        assertContains(r.out(), "is-a-tty");
        assertEquals(exit, r.exit(), r.out());
    }

    /** What a client command did. */
    record Result(int exit, String out, String err) {
        Result ok() {
            if (exit != 0) fail("expected exit 0, got " + exit + "\nstdout: " + out + "\nstderr: " + err);
            return this;
        }

        String text() {
            return out.strip();
        }
    }

    static Result run(String... cmd) {
        return run(Map.of(), cmd);
    }

    static Result run(Map<String, String> env, String... cmd) {
        return runWithInput(env, null, cmd);
    }

    /**
     * Runs cmd with env added, stdin from input (null: /dev/null), under the suite timeout, in
     * {@link #WORKDIR}.
     */
    static Result runWithInput(Map<String, String> env, String input, String... cmd) {
        try {
            Path out = Files.createTempFile("engine-out", ".txt");
            Path err = Files.createTempFile("engine-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(Files.createDirectories(WORKDIR).toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            if (input == null) pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            Process p = pb.start();
            if (input != null) {
                try (var in = p.getOutputStream()) {
                    in.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail("timed out after " + TIMEOUT + ": " + String.join(" ", cmd));
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** commandLine (a shell line) on a terminal of its own, as a person would type it; carriage returns dropped. */
    static Result tty(Map<String, String> env, String commandLine) {
        Result r = run(env, "script", "-qefc", "timeout --foreground -k 5 60 " + commandLine, "/dev/null");
        return new Result(r.exit(), r.out().replace("\r", "").replace("\0", ""), r.err());
    }

    /** Skips the suite unless every command is installed (.ci/run installs them). */
    static void requireCommands(String... names) {
        for (String name : names) {
            boolean found = Stream.of(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
                    .anyMatch(d -> Files.isExecutable(Path.of(d, name)));
            assumeTrue(found, name + " is not installed (.ci/run installs the engines)");
        }
        assumeTrue("root".equals(System.getProperty("user.name")), "the engine suites need root");
        assumeTrue(Files.isExecutable(CREMA), "no crema at " + CREMA);
    }

    /** The suites' busybox image (IMAGE, Cmd sh), built once in VAR and reused while unchanged. */
    static BusyboxImage busybox() {
        return BusyboxImage.in(VAR.resolve("image"), IMAGE, List.of("sh"));
    }

    /** False when this crema refuses command ("not supported by this version of crema yet"). */
    static boolean cremaSupports(String command) {
        Result r = run(CREMA.toString(), "--root", RUN.resolve("probe").toString(), command, "crema-engines-probe");
        return !r.err().contains("is not supported by this version of crema yet");
    }

    /** Skips a check that needs what this crema build refuses. */
    static void assumeCremaSupports(String command, String check) {
        assumeTrue(cremaSupports(command), check + " needs crema's `" + command + "`, which this crema build refuses"
                + " (\"not supported by this version of crema yet\"): skipped");
    }

    /** Skips a check whose engine mounts with an option this crema does not know (`crema features`). */
    static void assumeMountOption(String option, String check) {
        String features = run(CREMA.toString(), "features").ok().out();
        assumeTrue(features.contains("\"" + option + "\""), check + " needs the mount option " + option
                + ", which this crema build does not support yet (crema features): skipped");
    }

    static void waitFor(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            sleep(100);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The hard limits (nofile, nproc) an engine's containers can have without CAP_SYS_RESOURCE: ours. */
    static long[] hardLimits() {
        return hardLimits(Path.of("/proc/self/limits"));
    }

    /** The hard limits (nofile, nproc) in a copy of some process's /proc/PID/limits. */
    static long[] hardLimits(Path limitsFile) {
        long nofile = 1048576, nproc = 1048576;
        try {
            for (String line : Files.readAllLines(limitsFile)) {
                String[] f = line.trim().split("\\s{2,}");
                if (f.length >= 3 && f[0].equals("Max open files")) nofile = Long.parseLong(f[2]);
                if (f.length >= 3 && f[0].equals("Max processes") && !f[2].equals("unlimited")) nproc = Long.parseLong(f[2]);
            }
        } catch (IOException | NumberFormatException e) {
            // the defaults
        }
        return new long[] {nofile, nproc};
    }

    /** The host file of a cgroup controller's setting for pid: v1 controller hierarchy, else the v2 tree. */
    static Path cgroupFile(long pid, String controller, String v1File, String v2File) {
        try {
            String v2 = null;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                String[] f = line.split(":", 3);
                if (List.of(f[1].split(",")).contains(controller)) return Path.of("/sys/fs/cgroup", controller + f[2], v1File);
                if (f[0].equals("0")) v2 = f[2];
            }
            return Path.of("/sys/fs/cgroup" + v2, v2File);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Unmounts everything below dir (deepest first) and removes it, staying on its file systems. */
    static void wipe(Path dir) {
        if (!Files.exists(dir)) return;
        String prefix = dir.toAbsolutePath().normalize().toString();
        List<String> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String mp = line.split(" ")[4].replace("\\040", " ");
                if (mp.equals(prefix) || mp.startsWith(prefix + "/")) mounts.add(mp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        mounts.sort(Comparator.comparingInt(String::length).reversed());
        for (String mp : mounts) {
            if (run("umount", mp).exit() != 0) run("umount", "-l", mp);
        }
        run("rm", "-rf", "--one-file-system", prefix);
    }

    /** Removes the empty cgroup directories named name (v1: in every hierarchy; v2: at the top), deepest first. */
    static void removeCgroups(String name) {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            List<Path> roots = new ArrayList<>(hierarchies.map(h -> h.resolve(name)).toList());
            roots.add(Path.of("/sys/fs/cgroup", name));
            for (Path root : roots) {
                if (!Files.isDirectory(root)) continue;
                try (Stream<Path> walk = Files.walk(root)) {
                    for (Path d : walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                        try {
                            Files.delete(d);
                        } catch (IOException e) {
                            // busy or not ours to remove
                        }
                    }
                }
            }
        } catch (IOException e) {
            // no cgroup file system here
        }
    }

    /** A daemon this suite started (containerd, dockerd): its process and pid file. */
    static final class Daemon implements AutoCloseable {
        private final Process process;
        private final Path pidFile;

        private Daemon(Process process, Path pidFile) {
            this.process = process;
            this.pidFile = pidFile;
        }

        /**
         * Starts cmd with its output in log, after stopping what an aborted run left (the pid in
         * pidFile, if its command line names marker); waits until ready holds.
         */
        static Daemon start(List<String> cmd, Path log, Path pidFile, String marker, BooleanSupplier ready) {
            stopLeftover(pidFile, marker);
            try {
                Files.createDirectories(log.getParent());
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
                Files.writeString(pidFile, Long.toString(p.pid()));
                Daemon d = new Daemon(p, pidFile);
                // dockerd in the systemd lane's emulated guest takes tens of seconds
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (!ready.getAsBoolean()) {
                    if (!p.isAlive()) fail(cmd.get(0) + " died:\n" + tail(log));
                    if (System.nanoTime() > deadline) {
                        d.close();
                        fail(cmd.get(0) + " did not come up:\n" + tail(log));
                    }
                    sleep(100);
                }
                return d;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void stopLeftover(Path pidFile, String marker) {
            try {
                if (!Files.exists(pidFile)) return;
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                Files.delete(pidFile);
                Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
                if (Files.exists(cmdline) && new String(Files.readAllBytes(cmdline)).contains(marker)) {
                    ProcessHandle.of(pid).ifPresent(h -> {
                        h.destroy();
                        try {
                            h.onExit().get(20, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            h.destroyForcibly();
                        }
                    });
                }
            } catch (IOException | NumberFormatException e) {
                // nothing to stop
            }
        }

        private static String tail(Path log) {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            } catch (IOException e) {
                return "(no log)";
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                Files.deleteIfExists(pidFile);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // a stale pid file is checked against the command line next time
            }
        }
    }

    /** The value at a dotted path ("status.state", "items.0.id") of a JSON document. */
    static Object json(String document, String path) {
        Object node = crema.conformance.Json.parse(document);
        for (String part : path.isEmpty() ? new String[0] : path.split("\\.")) {
            if (node instanceof List<?> l) node = l.get(Integer.parseInt(part));
            else if (node instanceof Map<?, ?> m) node = m.get(part);
            else return null;
        }
        return node;
    }

    /**
     * A containerd of a suite: its config.toml (with extra sections), its socket, its
     * client; its containers live in namespace ns and cgroup (the suite's parent) cgroup.
     * Closing it removes them, the daemon and its dirs.
     */
    static final class Containerd implements AutoCloseable {
        final Path socket;
        final Path var;
        final Path run;
        private final String ns;
        private final String cgroup;
        private final Daemon daemon;

        Containerd(String suite, String ns, String cgroup, String extraConfig) {
            var = VAR.resolve(suite);
            run = RUN.resolve(suite);
            this.ns = ns;
            this.cgroup = cgroup;
            wipe(run);
            wipe(var.resolve("root"));
            socket = run.resolve("containerd.sock");
            daemon = start(var, run, socket, extraConfig);
        }

        /**
         * Starts a containerd with a config.toml (version 2, extraConfig appended) and its pid file in var, its
         * root in var/root, its state and log in run, listening on socket; waits until ctr reaches it.
         */
        static Daemon start(Path var, Path run, Path socket, String extraConfig) {
            Path config = var.resolve("config.toml");
            write(config, """
                    version = 2
                    root = "%s"
                    state = "%s"
                    [grpc]
                      address = "%s"
                    [ttrpc]
                      address = "%s.ttrpc"
                    [plugins."io.containerd.internal.v1.opt"]
                      path = "%s"
                    %s
                    """.formatted(var.resolve("root"), run.resolve("state"), socket, socket, var.resolve("opt"), extraConfig));
            return Daemon.start(List.of("containerd", "--config", config.toString()), run.resolve("containerd.log"),
                    var.resolve("containerd.pid"), config.toString(),
                    () -> Files.exists(socket) && run("ctr", "--address", socket.toString(), "version").exit() == 0);
        }

        /** ctr in namespace ns. */
        Result ctr(String ns, String... args) {
            List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "--namespace", ns));
            cmd.addAll(List.of(args));
            return run(cmd.toArray(String[]::new));
        }

        /**
         * Imports the OCI archive of an image into namespace ns. Once in a few runs containerd
         * 1.6 fails to unpack it ("failed to Lchown ...: no such file or directory") in a fresh
         * root: a second try is the setup's, not a finding about crema.
         */
        void importImage(String ns, BusyboxImage image) {
            String archive = image.ociArchive().toString();
            if (ctr(ns, "images", "import", archive).exit() != 0) ctr(ns, "images", "import", archive).ok();
        }

        /** Kills and removes every task and container of namespace ns. */
        void purge(String ns) {
            for (String id : ctr(ns, "task", "ls", "-q").out().split("\n")) {
                if (!id.isBlank()) ctr(ns, "task", "kill", "-s", "SIGKILL", id.trim());
            }
            sleep(200);
            for (String id : ctr(ns, "task", "ls", "-q").out().split("\n")) {
                if (!id.isBlank()) ctr(ns, "task", "delete", "-f", id.trim());
            }
            for (String id : ctr(ns, "container", "ls", "-q").out().split("\n")) {
                if (!id.isBlank()) ctr(ns, "container", "delete", id.trim());
            }
        }

        @Override
        public void close() {
            purge(ns);
            daemon.close();
            wipe(run);
            wipe(var.resolve("root"));
            removeCgroups(cgroup);
        }
    }

    /**
     * A dockerd of a suite, with crema registered in daemon.json as runtime "crema"
     * (its own data-root, exec-root and socket under the suite's dirs; no bridge,
     * no iptables) and the busybox image loaded. Closing it removes all of that.
     */
    static final class Dockerd implements AutoCloseable {
        /** docker.io's client: another one may come first in PATH. */
        static final String CLI = Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
        final Path socket;
        private final Path var;
        private final Path run;
        private final String cgroupParent;
        private final Daemon daemon;

        Dockerd(String suite) {
            this(suite, json -> {});
        }

        /** A dockerd whose daemon.json is the suite's default as changed by configure. */
        Dockerd(String suite, java.util.function.Consumer<Map<String, Object>> configure) {
            var = VAR.resolve(suite);
            run = RUN.resolve(suite);
            cgroupParent = "crema-engines-" + suite;
            socket = socket(suite);
            wipe(run);
            wipe(var.resolve("data"));
            Path config = var.resolve("daemon.json");
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("data-root", var.resolve("data").toString());
            json.put("exec-root", run.resolve("exec").toString());
            json.put("pidfile", run.resolve("dockerd.pid").toString());
            json.put("hosts", List.of("unix://" + socket));
            json.put("storage-driver", "overlay2");
            json.put("bridge", "none");
            json.put("iptables", false);
            json.put("ip6tables", false);
            json.put("ip-forward", false);
            json.put("ip-masq", false);
            json.put("cgroup-parent", "/" + cgroupParent);
            json.put("exec-opts", List.of("native.cgroupdriver=cgroupfs"));
            json.put("runtimes", Map.of("crema", Map.of("path", CREMA.toString())));
            configure.accept(json);
            write(config, crema.conformance.Json.write(json));
            daemon = Daemon.start(List.of("dockerd", "--config-file", config.toString()), run.resolve("dockerd.log"),
                    var.resolve("dockerd.started"), config.toString(),
                    () -> Files.exists(socket) && docker("version").exit() == 0);
            purge();
            docker("load", "-i", busybox().dockerArchive().toString()).ok();
        }

        /** Where the dockerd of suite listens. */
        static Path socket(String suite) {
            return RUN.resolve(suite).resolve("docker.sock");
        }

        Result docker(String... args) {
            List<String> cmd = new ArrayList<>(List.of(CLI, "-H", "unix://" + socket));
            cmd.addAll(List.of(args));
            return Engine.run(cmd.toArray(String[]::new));
        }

        /** Removes every container. */
        void purge() {
            for (String id : docker("ps", "-aq").out().split("\\n")) {
                if (!id.isBlank()) docker("rm", "-f", id.trim());
            }
        }

        @Override
        public void close() {
            purge();
            daemon.close();
            wipe(run);
            wipe(var.resolve("data"));
            removeCgroups(cgroupParent);
        }
    }

    static void assertContains(String haystack, String needle) {
        assertTrue(haystack.contains(needle), "[" + needle + "] not found in [" + haystack + "]");
    }

    static void assertLines(String expected, Result r) {
        assertEquals(expected, r.out().replace("\r", ""), r.err());
    }
}

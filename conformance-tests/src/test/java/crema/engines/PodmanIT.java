package crema.engines;

import static crema.engines.Engine.assertContains;
import static crema.engines.Engine.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Rootful podman 4.3 (with conmon) on crema, configured as the README says,
 * on top of the distribution's own containers.conf: crema's path under
 * [engine.runtimes] with runtime_supports_json, cgroupfs, and its own storage. The
 * checks of the engine smoke scripts' podman-smoke.sh, as JUnit tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanIT {
    private static final Path VAR = Engine.VAR.resolve("podman");
    private static final Path RUN = Engine.RUN.resolve("podman");
    private static final String CGROUP_PARENT = "crema-engines-podman";
    private Map<String, String> env;

    @BeforeAll
    void setUp() {
        Engine.requireCommands("podman", "conmon", "script");
        cleanUp();
        long[] limits = runtimeLimits();
        // Without CAP_SYS_RESOURCE podman's default rlimits (1048576) cannot be set by any runtime: use the hard ones.
        Engine.write(VAR.resolve("containers.conf"), distributionConf(Map.of(
                "containers", List.of("default_ulimits = [\"nofile=%d:%d\", \"nproc=%d:%d\"]".formatted(limits[0],
                        limits[0], limits[1], limits[1])),
                "engine", List.of("runtime = \"crema\"", "runtime_supports_json = [\"crema\"]",
                        "cgroup_manager = \"cgroupfs\"", "events_logger = \"file\"",
                        "events_logfile_path = \"" + RUN.resolve("events.log") + "\"",
                        "tmp_dir = \"" + RUN.resolve("tmp") + "\""),
                "engine.runtimes", List.of("crema = [\"" + Engine.CREMA + "\"]"),
                "network", List.of("network_config_dir = \"" + VAR.resolve("networks") + "\""))));
        env = storageEnv(VAR.resolve("containers.conf"), VAR.resolve("storage.conf"), "overlay", VAR.resolve("graph"),
                RUN.resolve("runroot"));
        BusyboxImage image = Engine.busybox();
        p("load", "-i", image.dockerArchive().toString()).ok();
        p("import", image.rootfs().toString(), "localhost/busybox-imported:latest").ok();
    }

    /**
     * The hard limits (nofile, nproc) podman's runtime inherits: podman changes its own, so they are
     * read by a runtime that records its limits and hands over to crema (`podman info` calls it).
     */
    private long[] runtimeLimits() {
        Path probe = RUN.resolve("limits-probe");
        Path limits = RUN.resolve("limits.txt");
        Engine.write(probe, "#!/bin/sh\ncat /proc/self/limits > " + limits + "\nexec " + Engine.CREMA + " \"$@\"\n");
        probe.toFile().setExecutable(true);
        Engine.write(VAR.resolve("containers.conf"), "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n");
        env = Map.of("CONTAINERS_CONF", VAR.resolve("containers.conf").toString());
        p("--runtime", probe.toString(), "info");
        env = null;
        long[] hard = Engine.hardLimits();
        if (Files.exists(limits)) hard = Engine.hardLimits(limits);
        Engine.wipe(VAR.resolve("graph"));
        return hard;
    }

    /**
     * Writes a storage.conf of the suite's own (driver, graphroot, runroot) and returns podman's environment naming
     * it and containersConf.
     */
    static Map<String, String> storageEnv(Path containersConf, Path storageConf, String driver, Path graph, Path runroot) {
        Engine.write(storageConf, """
                [storage]
                driver = "%s"
                graphroot = "%s"
                runroot = "%s"
                """.formatted(driver, graph, runroot));
        return Map.of("CONTAINERS_CONF", containersConf.toString(), "CONTAINERS_STORAGE_CONF", storageConf.toString());
    }

    /**
     * The distribution's containers.conf (its default_capabilities, default_sysctls... shape the config.json and
     * seccomp profile users' podman writes), with only the given keys set, each in its table. CONTAINERS_CONF
     * replaces every system file, so the suite's file starts from the one podman would read.
     */
    static String distributionConf(Map<String, List<String>> keysByTable) {
        Path base = Path.of("/etc/containers/containers.conf");
        if (!Files.exists(base)) base = Path.of("/usr/share/containers/containers.conf");
        List<String> lines;
        try {
            lines = Files.exists(base) ? Files.readAllLines(base) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> keys = new HashSet<>();
        keysByTable.values().forEach(l -> l.forEach(k -> keys.add(k.substring(0, k.indexOf('=')).strip())));
        Set<String> written = new HashSet<>();
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            Matcher table = Pattern.compile("\\[([a-z_.]+)\\]\\s*").matcher(line);
            Matcher key = Pattern.compile("([a-z_]+)\\s*=.*").matcher(line);
            if (key.matches() && keys.contains(key.group(1))) continue;
            out.append(line).append('\n');
            if (table.matches() && keysByTable.containsKey(table.group(1)) && written.add(table.group(1))) {
                keysByTable.get(table.group(1)).forEach(k -> out.append(k).append('\n'));
            }
        }
        keysByTable.forEach((table, l) -> {
            if (written.add(table)) out.append('[').append(table).append("]\n").append(String.join("\n", l)).append('\n');
        });
        return out.toString();
    }

    @AfterAll
    void cleanUp() {
        if (env != null) p("rm", "-a", "-f", "-t", "0");
        // conmon runs `podman container cleanup` after exits, which mounts the store: let it finish
        Engine.sleep(300);
        Engine.wipe(RUN);
        Engine.wipe(VAR.resolve("graph"));
        Engine.removeCgroups(CGROUP_PARENT);
    }

    private Engine.Result p(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", VAR.resolve("graph").toString(),
                "--runroot", RUN.resolve("runroot").toString()));
        cmd.addAll(List.of(args));
        return run(env == null ? Map.of() : env, cmd.toArray(String[]::new));
    }

    /** podman run with the suite's defaults; args are further flags, the image and the command. */
    private Engine.Result podmanRun(String... args) {
        List<String> cmd = new ArrayList<>(List.of("run", "--pull", "never", "--cgroup-parent=/" + CGROUP_PARENT,
                "--network", "none"));
        cmd.addAll(List.of(args));
        return p(cmd.toArray(String[]::new));
    }

    private String podmanLine() {
        return "env CONTAINERS_CONF=" + env.get("CONTAINERS_CONF") + " CONTAINERS_STORAGE_CONF="
                + env.get("CONTAINERS_STORAGE_CONF") + " podman --root " + VAR.resolve("graph") + " --runroot "
                + RUN.resolve("runroot");
    }

    @Test
    void theImagesAreThereAndCremaIsTheRuntime() {
        p("image", "exists", Engine.IMAGE).ok();
        p("image", "exists", "localhost/busybox-imported:latest").ok();
        assertEquals(Engine.CREMA.toString(), p("info", "--format", "{{.Host.OCIRuntime.Path}}").ok().text());
    }

    @Test
    void runAndExitCodes() {
        assertEquals("hello-from-podman", podmanRun("--rm", Engine.IMAGE, "echo", "hello-from-podman").ok().text());
        assertEquals("imported-ok", podmanRun("--rm", "localhost/busybox-imported:latest", "/bin/echo", "imported-ok").ok().text());
        assertEquals(3, podmanRun("--rm", Engine.IMAGE, "sh", "-c", "exit 3").exit());
        Engine.Result missing = podmanRun("--rm", Engine.IMAGE, "/nonexistent-binary");
        assertEquals(127, missing.exit(), "podman maps crema's error for a missing binary to 127: " + missing.err());
    }

    /**
     * What the distribution's containers.conf asks for reaches the container: its default_capabilities (Debian's
     * lack AUDIT_WRITE, so podman writes a seccomp profile that repeats a rule for socket) and default_sysctls.
     */
    @Test
    void theDistributionsDefaultsTakeEffect() {
        String distribution = distributionConf(Map.of()).lines().filter(l -> !l.strip().startsWith("#"))
                .reduce("", (a, b) -> a + b + "\n");
        String out = podmanRun("--rm", Engine.IMAGE, "sh", "-c",
                "grep CapBnd /proc/self/status | cut -f2; cat /proc/sys/net/ipv4/ping_group_range").ok().out();
        long bounding = Long.parseLong(out.lines().findFirst().orElseThrow(), 16);
        boolean auditWrite = (bounding & (1L << 29)) != 0;
        assertEquals(distribution.contains("\"AUDIT_WRITE\""), auditWrite, "CAP_AUDIT_WRITE in the bounding set: " + out);
        if (distribution.contains("\"net.ipv4.ping_group_range=0 0\"")) {
            assertEquals("0\t0", out.lines().skip(1).findFirst().orElseThrow(), out);
        }
    }

    @Test
    void envWorkdirAndUser() {
        String out = podmanRun("--rm", "-e", "FOO=bar", "-e", "EMPTY=", "-w", "/tmp", Engine.IMAGE, "sh", "-c",
                "echo \"$FOO|${EMPTY-unset}|$(pwd)|$PATH\"").ok().text();
        assertEquals("bar||/tmp|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", out);
        assertEquals("65534:65534", podmanRun("--rm", "--user", "65534:65534", Engine.IMAGE, "sh", "-c",
                "echo $(id -u):$(id -g)").ok().text());
    }

    @Test
    void aUserNamespace() {
        String out = podmanRun("--rm", "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536", Engine.IMAGE, "sh", "-c",
                "cat /proc/self/uid_map | tr -s ' '; id -u; touch /tmp/x && stat -c %u /tmp/x").ok().out();
        assertEquals(" 0 100000 65536\n0\n0\n", out);
    }

    @Test
    void memoryAndPidsLimits() {
        Engine.assumeCremaSupports("update", "memory and pids limits (cgroup resources)");
        assertEquals("67108864", podmanRun("--rm", "--memory", "64m", Engine.IMAGE, "sh", "-c", Engine.MEMORY_LIMIT).ok().text());
        assertEquals("42", podmanRun("--rm", "--pids-limit", "42", Engine.IMAGE, "sh", "-c", Engine.PIDS_LIMIT).ok().text());
    }

    @Test
    void anOutOfMemoryKillIs137() {
        Engine.assumeCremaSupports("update", "the OOM kill under a memory limit (cgroup resources)");
        Engine.Result r = podmanRun("--rm", "--memory", "32m", "--memory-swap", "32m", Engine.IMAGE, "sh", "-c",
                Engine.EAT_MEMORY);
        assertEquals(137, r.exit(), r.out() + r.err());
    }

    @Test
    void aReadOnlyRootfs() {
        Engine.assumeMountOption("tmpcopyup", "podman --read-only (its /tmp, /run... are tmpfs with tmpcopyup)");
        assertEquals("rootfs-ro\ntmp-rw", podmanRun("--rm", "--read-only", Engine.IMAGE, "sh", "-c", Engine.READ_ONLY)
                .ok().text());
    }

    @Test
    void detachedExecKillAndRm() {
        podmanRun("-d", "--name", "crema-bg", Engine.IMAGE, "sleep", "600").ok();
        String id = p("inspect", "-f", "{{.Id}}", "crema-bg").ok().text();
        assertEquals("running", p("inspect", "-f", "{{.State.Status}}", "crema-bg").ok().text());
        // podman gives crema no --root: the container is in crema's default state root
        assertContains(run(Engine.CREMA.toString(), "state", id).ok().out(), "\"status\": \"running\"");
        assertEquals("exec-ok\nsleep 600", p("exec", "crema-bg", "sh", "-c", Engine.PID1_CMDLINE).ok().text());
        assertEquals("yy /tmp 65534", p("exec", "-e", "XX=yy", "-w", "/tmp", "--user", "65534", "crema-bg", "sh", "-c",
                "echo $XX $(pwd) $(id -u)").ok().text());
        assertEquals(5, p("exec", "crema-bg", "sh", "-c", "exit 5").exit());
        assertEquals(127, p("exec", "crema-bg", "/nonexistent-binary").exit());
        p("kill", "crema-bg").ok();
        p("wait", "crema-bg").ok();
        assertEquals("exited 137", p("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "crema-bg").ok().text());
        p("rm", "crema-bg").ok();
        assertEquals(1, p("container", "exists", "crema-bg").exit());
    }

    @Test
    void stopSendsSigterm() {
        podmanRun("-d", "--name", "crema-stop", Engine.IMAGE, "sh", "-c", Engine.TRAP_TERM).ok();
        Engine.sleep(500);
        p("stop", "-t", "10", "crema-stop").ok();
        assertEquals("exited 0", p("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "crema-stop").ok().text());
        assertContains(p("logs", "crema-stop").ok().out(), "got-sigterm");
        p("rm", "crema-stop").ok();
    }

    @Test
    void pauseAndUnpause() {
        Engine.assumeCremaSupports("pause", "podman pause");
        podmanRun("-d", "--name", "crema-pause", Engine.IMAGE, "sleep", "600").ok();
        try {
            p("pause", "crema-pause").ok();
            assertEquals("paused", p("inspect", "-f", "{{.State.Status}}", "crema-pause").ok().text());
            long pid = Long.parseLong(p("inspect", "-f", "{{.State.Pid}}", "crema-pause").ok().text());
            String frozen = Engine.read(Engine.cgroupFile(pid, "freezer", "freezer.state", "cgroup.freeze"));
            assertTrue(frozen.equals("FROZEN") || frozen.equals("1"), frozen);
            p("unpause", "crema-pause").ok();
            assertEquals("running", p("inspect", "-f", "{{.State.Status}}", "crema-pause").ok().text());
            p("exec", "crema-pause", "true").ok();
        } finally {
            p("rm", "-f", "-t", "0", "crema-pause");
        }
    }

    @Test
    void aTerminalForRunAndExec() {
        Engine.assertTerminal(Engine.tty(Map.of(), podmanLine() + " run --rm -t --pull never --cgroup-parent=/" + CGROUP_PARENT
                + " --network none " + Engine.IMAGE + " sh -c " + Engine.ON_A_TTY), 4);

        podmanRun("-d", "--name", "crema-ttyexec", Engine.IMAGE, "sleep", "600").ok();
        try {
            Engine.assertTerminal(Engine.tty(Map.of(), podmanLine() + " exec -t crema-ttyexec sh -c " + Engine.EXEC_ON_A_TTY), 0);
        } finally {
            p("rm", "-f", "-t", "0", "crema-ttyexec");
        }
    }

    @Test
    void sdNotifyFromTheContainerReachesTheCaller() throws Exception {
        Path probe = Path.of(System.getProperty("crema.probes", "target/native"), "notify-probe").toAbsolutePath();
        Path out = RUN.resolve("notify.out");
        Files.deleteIfExists(out);
        run(probe.toString(), "listen", RUN.resolve("notify.sock").toString(), out.toString()).ok();
        Map<String, String> withSocket = new java.util.HashMap<>(env);
        withSocket.put("NOTIFY_SOCKET", RUN.resolve("notify.sock").toString());
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", VAR.resolve("graph").toString(), "--runroot",
                RUN.resolve("runroot").toString(), "run", "-d", "--name", "crema-notify", "--sdnotify=container",
                "--pull", "never", "--cgroup-parent=/" + CGROUP_PARENT, "--network", "none",
                "-v", probe + ":/usr/local/bin/notify-probe:ro", Engine.IMAGE, "sh", "-c",
                "sleep 0.5; notify-probe send READY=1; sleep 600"));
        try {
            run(withSocket, cmd.toArray(String[]::new)).ok();
            Engine.waitFor(() -> Files.exists(out), Duration.ofSeconds(20), "READY=1 on the caller's NOTIFY_SOCKET");
            assertContains(Files.readString(out), "READY=1");
        } finally {
            p("rm", "-f", "-t", "0", "crema-notify");
        }
    }
}

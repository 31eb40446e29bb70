package crema.engines;

import static crema.engines.Engine.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * containerd 1.6 through ctr, with the io.containerd.runc.v2 shim running
 * crema (`ctr run --runc-binary`, the shim's BinaryName option): the
 * checks of the engine smoke scripts' containerd-smoke.sh, as JUnit tests. One
 * check is elsewhere: with --uidmap, ctr 1.6 replaces the shim's options
 * (BinaryName too) and runs the default runc, so a user namespace is
 * checked through podman (PodmanIT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerdIT {
    private static final Path RUN = Engine.RUN.resolve("containerd");
    /** ctr's namespace; the shim puts containers in cgroup /NS/ID. */
    private static final String NS = "crema-engines";
    private Engine.Containerd containerd;

    @BeforeAll
    void setUp() {
        Engine.requireCommands("containerd", "ctr", "containerd-shim-runc-v2", "script");
        containerd = new Engine.Containerd("containerd", NS, NS, "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]");
        containerd.purge(NS);
        containerd.importImage(NS, Engine.busybox());
    }

    @AfterAll
    void tearDown() {
        if (containerd != null) containerd.close();
    }

    private Engine.Result ctr(String... args) {
        return containerd.ctr(NS, args);
    }

    private List<String> runtimeFlags() {
        return List.of("--runc-binary", Engine.CREMA.toString(), "--runc-root", RUN.resolve("runtime-root").toString(),
                "--fifo-dir", RUN.resolve("fifo").toString());
    }

    /** ctr run with crema as the shim's runtime; args: flags, then the image, id and command. */
    private Engine.Result ctrRun(String... args) {
        List<String> cmd = new ArrayList<>(List.of("run"));
        cmd.addAll(runtimeFlags());
        cmd.addAll(List.of(args));
        return ctr(cmd.toArray(String[]::new));
    }

    private String taskField(String id, int column) {
        for (String line : ctr("task", "ls").out().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > column && f[0].equals(id)) return f[column];
        }
        return "";
    }

    private void awaitStatus(String id, String status) {
        Engine.waitFor(() -> taskField(id, 2).equals(status), Duration.ofSeconds(10), id + " to be " + status);
    }

    /** Kills and deletes id, whatever is left of it. */
    private void remove(String id) {
        if (ctr("task", "kill", "-s", "SIGKILL", id).exit() == 0) {
            Engine.waitFor(() -> !taskField(id, 2).equals("RUNNING"), Duration.ofSeconds(10), id + " to stop");
        }
        ctr("task", "delete", id);
        ctr("container", "delete", id);
    }

    @Test
    void runExitCodesEnvAndWorkdir() {
        assertEquals("hello-from-containerd", ctrRun("--rm", Engine.IMAGE, "crema-echo", "echo", "hello-from-containerd").ok().text());
        assertEquals(3, ctrRun("--rm", Engine.IMAGE, "crema-exit", "sh", "-c", "exit 3").exit());
        assertEquals("bar|/tmp|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ctrRun("--rm", "--env", "FOO=bar",
                "--cwd", "/tmp", Engine.IMAGE, "crema-env", "sh", "-c", "echo \"$FOO|$(pwd)|$PATH\"").ok().text());
    }

    @Test
    void theShimReadsCremasLastErrorLine() {
        Engine.Result r = ctrRun("--rm", Engine.IMAGE, "crema-missing", "/nonexistent-binary");
        assertTrue(r.exit() != 0);
        // the shim's error is crema's JSON log line, runc's words included
        assertContains(r.err(), "exec: \"/nonexistent-binary\": no such file or directory");
        ctr("container", "delete", "crema-missing");
    }

    @Test
    void memoryAndCpuLimits() {
        Engine.assumeCremaSupports("update", "memory and cpu limits (cgroup resources)");
        ctrRun("-d", "--memory-limit", "67108864", "--cpus", "0.5", Engine.IMAGE, "crema-mem", "sleep", "600").ok();
        try {
            awaitStatus("crema-mem", "RUNNING");
            long pid = Long.parseLong(taskField("crema-mem", 1));
            assertEquals("67108864", Engine.read(Engine.cgroupFile(pid, "memory", "memory.limit_in_bytes", "memory.max")));
            assertContains(Engine.read(Engine.cgroupFile(pid, "cpu", "cpu.cfs_quota_us", "cpu.max")), "50000");
        } finally {
            remove("crema-mem");
        }
    }

    @Test
    void anOutOfMemoryKillIs137() {
        Engine.assumeCremaSupports("update", "the OOM kill under a memory limit (cgroup resources)");
        Engine.Result r = ctrRun("--rm", "--memory-limit", "33554432", Engine.IMAGE, "crema-oom", "sh", "-c", Engine.EAT_MEMORY);
        assertEquals(137, r.exit(), r.out() + r.err());
    }

    @Test
    void aReadOnlyRootfsAndSeccomp() {
        assertEquals("rootfs-ro", ctrRun("--rm", "--read-only", Engine.IMAGE, "crema-ro", "sh", "-c",
                "touch /x 2>/dev/null && echo rootfs-writable || echo rootfs-ro").ok().text());
        // ctr's default seccomp profile: crema loads a filter (Seccomp: 2)
        assertEquals("2", ctrRun("--rm", "--seccomp", Engine.IMAGE, "crema-seccomp", "sh", "-c",
                "awk '/^Seccomp:/ { print $2 }' /proc/self/status").ok().text());
    }

    @Test
    void detachedExecKillAndDelete() {
        ctrRun("-d", Engine.IMAGE, "crema-bg", "sleep", "600").ok();
        try {
            awaitStatus("crema-bg", "RUNNING");
            String fifo = RUN.resolve("fifo").toString();
            assertEquals("exec-ok\nsleep 600", ctr("task", "exec", "--fifo-dir", fifo, "--exec-id", "e1", "crema-bg", "sh", "-c",
                    Engine.PID1_CMDLINE).ok().text());
            assertEquals("/tmp 65534", ctr("task", "exec", "--fifo-dir", fifo, "--exec-id", "e2", "--cwd", "/tmp", "--user",
                    "65534", "crema-bg", "sh", "-c", "echo $(pwd) $(id -u)").ok().text());
            assertEquals(5, ctr("task", "exec", "--fifo-dir", fifo, "--exec-id", "e3", "crema-bg", "sh", "-c", "exit 5").exit());
            if (Engine.cremaSupports("ps")) {
                assertContains(ctr("task", "ps", "crema-bg").ok().out(), taskField("crema-bg", 1));
            }
            ctr("task", "kill", "-s", "SIGKILL", "crema-bg").ok();
            awaitStatus("crema-bg", "STOPPED");
            Engine.Result deleted = ctr("task", "delete", "crema-bg");
            assertContains(deleted.out() + deleted.err(), "exit code 137");
            ctr("container", "delete", "crema-bg").ok();
            assertFalse(ctr("container", "ls", "-q").out().contains("crema-bg"));
        } finally {
            remove("crema-bg");
        }
    }

    @Test
    void killSendsSigterm() {
        ctrRun("-d", Engine.IMAGE, "crema-stop", "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done").ok();
        try {
            awaitStatus("crema-stop", "RUNNING");
            Engine.sleep(300);
            ctr("task", "kill", "crema-stop").ok();
            awaitStatus("crema-stop", "STOPPED");
            Engine.Result deleted = ctr("task", "delete", "crema-stop");
            assertFalse((deleted.out() + deleted.err()).contains("non-zero exit code"), deleted.out() + deleted.err());
        } finally {
            remove("crema-stop");
        }
    }

    @Test
    void pauseAndResume() {
        Engine.assumeCremaSupports("pause", "ctr task pause");
        ctrRun("-d", Engine.IMAGE, "crema-pause", "sleep", "600").ok();
        try {
            awaitStatus("crema-pause", "RUNNING");
            ctr("task", "pause", "crema-pause").ok();
            awaitStatus("crema-pause", "PAUSED");
            long pid = Long.parseLong(taskField("crema-pause", 1));
            String frozen = Engine.read(Engine.cgroupFile(pid, "freezer", "freezer.state", "cgroup.freeze"));
            assertTrue(frozen.equals("FROZEN") || frozen.equals("1"), frozen);
            ctr("task", "resume", "crema-pause").ok();
            awaitStatus("crema-pause", "RUNNING");
        } finally {
            remove("crema-pause");
        }
    }

    @Test
    void aTerminalForRunAndExec() {
        String ctr = "ctr --address " + containerd.socket + " --namespace " + NS;
        Engine.assertTerminal(Engine.tty(Map.of(), ctr + " run " + String.join(" ", runtimeFlags()) + " --rm -t " + Engine.IMAGE
                + " crema-tty sh -c " + Engine.ON_A_TTY), 4);

        ctrRun("-d", Engine.IMAGE, "crema-ttyexec", "sleep", "600").ok();
        try {
            awaitStatus("crema-ttyexec", "RUNNING");
            Engine.assertTerminal(Engine.tty(Map.of(), ctr + " task exec --fifo-dir " + RUN.resolve("fifo")
                    + " -t --exec-id t1 crema-ttyexec sh -c " + Engine.EXEC_ON_A_TTY), 0);
        } finally {
            remove("crema-ttyexec");
        }
    }
}

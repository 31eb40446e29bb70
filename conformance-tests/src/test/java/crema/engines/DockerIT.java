package crema.engines;

import static crema.engines.Engine.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * dockerd 20.10 with crema registered in daemon.json ("runtimes": {"crema":
 * {"path": ...}}) and every container run with --runtime=crema: the
 * checks of the engine smoke scripts' docker-smoke.sh, as JUnit tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerIT {
    private Engine.Dockerd dockerd;

    @BeforeAll
    void setUp() {
        Engine.requireCommands("dockerd", "containerd", "script");
        dockerd = new Engine.Dockerd("docker");
        d("import", Engine.busybox().rootfs().toString(), "localhost/busybox-imported:latest").ok();
    }

    @AfterAll
    void tearDown() {
        if (dockerd != null) dockerd.close();
    }

    private Engine.Result d(String... args) {
        return dockerd.docker(args);
    }

    /** docker run --runtime=crema --network none, then args (flags, image, command). */
    private Engine.Result dockerRun(String... args) {
        List<String> cmd = new ArrayList<>(List.of("run", "--runtime=crema", "--network", "none"));
        cmd.addAll(List.of(args));
        return d(cmd.toArray(String[]::new));
    }

    private String inspect(String format, String name) {
        return d("inspect", "-f", format, name).ok().text();
    }

    @Test
    void runAndExitCodes() {
        assertEquals("hello-from-docker", dockerRun("--rm", Engine.IMAGE, "echo", "hello-from-docker").ok().text());
        assertEquals("imported-ok", dockerRun("--rm", "localhost/busybox-imported:latest", "/bin/echo", "imported-ok").ok().text());
        assertEquals(3, dockerRun("--rm", Engine.IMAGE, "sh", "-c", "exit 3").exit());
        // dockerd derives 127 from runc's words for a missing binary, and the CLI repeats it
        Engine.Result missing = dockerRun("--name", "crema-missing", Engine.IMAGE, "/nonexistent-binary");
        try {
            assertEquals("127", inspect("{{.State.ExitCode}}", "crema-missing"));
            assertEquals(127, missing.exit(), missing.err());
        } finally {
            d("rm", "-f", "crema-missing");
        }
    }

    @Test
    void envWorkdirAndUser() {
        assertEquals("bar|/tmp|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", dockerRun("--rm", "-e", "FOO=bar",
                "-w", "/tmp", Engine.IMAGE, "sh", "-c", "echo \"$FOO|$(pwd)|$PATH\"").ok().text());
        assertEquals("65534:65534", dockerRun("--rm", "--user", "65534:65534", Engine.IMAGE, "sh", "-c",
                "echo $(id -u):$(id -g)").ok().text());
    }

    @Test
    void memoryAndPidsLimits() {
        Engine.assumeCremaSupports("update", "memory and pids limits (cgroup resources)");
        assertEquals("67108864", dockerRun("--rm", "--memory", "64m", Engine.IMAGE, "sh", "-c", Engine.MEMORY_LIMIT).ok().text());
        assertEquals("42", dockerRun("--rm", "--pids-limit", "42", Engine.IMAGE, "sh", "-c", Engine.PIDS_LIMIT).ok().text());
    }

    @Test
    void anOutOfMemoryKill() {
        Engine.assumeCremaSupports("update", "the OOM kill under a memory limit (cgroup resources)");
        Engine.Result r = dockerRun("--name", "crema-oom", "--memory", "32m", "--memory-swap", "32m", Engine.IMAGE, "sh", "-c",
                Engine.EAT_MEMORY);
        try {
            assertEquals(137, r.exit(), r.out() + r.err());
            assertEquals("true", inspect("{{.State.OOMKilled}}", "crema-oom"));
        } finally {
            d("rm", "-f", "crema-oom");
        }
    }

    @Test
    void aReadOnlyRootfs() {
        assertEquals("rootfs-ro\ntmp-rw", dockerRun("--rm", "--read-only", "--tmpfs", "/tmp", Engine.IMAGE, "sh", "-c",
                Engine.READ_ONLY).ok().text());
    }

    @Test
    void detachedExecKillAndRm() {
        dockerRun("-d", "--name", "crema-bg", Engine.IMAGE, "sleep", "600").ok();
        try {
            assertEquals("running crema", inspect("{{.State.Status}} {{.HostConfig.Runtime}}", "crema-bg"));
            assertEquals("exec-ok\nsleep 600", d("exec", "crema-bg", "sh", "-c", Engine.PID1_CMDLINE).ok().text());
            assertEquals("yy /tmp 65534", d("exec", "-e", "XX=yy", "-w", "/tmp", "--user", "65534", "crema-bg", "sh", "-c",
                    "echo $XX $(pwd) $(id -u)").ok().text());
            assertEquals(5, d("exec", "crema-bg", "sh", "-c", "exit 5").exit());
            if (Engine.cremaSupports("ps")) assertContains(d("top", "crema-bg").ok().out(), "sleep 600");
            d("kill", "crema-bg").ok();
            d("wait", "crema-bg").ok();
            assertEquals("exited 137", inspect("{{.State.Status}} {{.State.ExitCode}}", "crema-bg"));
            d("rm", "crema-bg").ok();
            assertEquals(1, d("inspect", "crema-bg").exit());
        } finally {
            d("rm", "-f", "crema-bg");
        }
    }

    @Test
    void stopSendsSigterm() {
        dockerRun("-d", "--name", "crema-stop", Engine.IMAGE, "sh", "-c", Engine.TRAP_TERM).ok();
        try {
            Engine.sleep(500);
            d("stop", "-t", "10", "crema-stop").ok();
            assertEquals("exited 0", inspect("{{.State.Status}} {{.State.ExitCode}}", "crema-stop"));
            assertContains(d("logs", "crema-stop").ok().out(), "got-sigterm");
        } finally {
            d("rm", "-f", "crema-stop");
        }
    }

    @Test
    void pauseAndUnpause() {
        Engine.assumeCremaSupports("pause", "docker pause");
        dockerRun("-d", "--name", "crema-pause", Engine.IMAGE, "sleep", "600").ok();
        try {
            d("pause", "crema-pause").ok();
            assertEquals("paused", inspect("{{.State.Status}}", "crema-pause"));
            long pid = Long.parseLong(inspect("{{.State.Pid}}", "crema-pause"));
            String frozen = Engine.read(Engine.cgroupFile(pid, "freezer", "freezer.state", "cgroup.freeze"));
            assertTrue(frozen.equals("FROZEN") || frozen.equals("1"), frozen);
            d("unpause", "crema-pause").ok();
            assertEquals("running", inspect("{{.State.Status}}", "crema-pause"));
            d("exec", "crema-pause", "true").ok();
        } finally {
            d("rm", "-f", "crema-pause");
        }
    }

    @Test
    void updateChangesTheMemoryLimit() {
        Engine.assumeCremaSupports("update", "docker update");
        dockerRun("-d", "--name", "crema-upd", "--memory", "64m", "--memory-swap", "128m", Engine.IMAGE, "sleep", "600").ok();
        try {
            d("update", "--memory", "32m", "--memory-swap", "64m", "crema-upd").ok();
            long pid = Long.parseLong(inspect("{{.State.Pid}}", "crema-upd"));
            assertEquals("33554432", Engine.read(Engine.cgroupFile(pid, "memory", "memory.limit_in_bytes", "memory.max")));
        } finally {
            d("rm", "-f", "crema-upd");
        }
    }

    @Test
    void restartGivesANewInit() {
        dockerRun("-d", "--name", "crema-restart", Engine.IMAGE, "sleep", "600").ok();
        try {
            String before = inspect("{{.State.Pid}}", "crema-restart");
            d("restart", "-t", "1", "crema-restart").ok();
            assertEquals("running", inspect("{{.State.Status}}", "crema-restart"));
            assertNotEquals(before, inspect("{{.State.Pid}}", "crema-restart"));
        } finally {
            d("rm", "-f", "crema-restart");
        }
    }

    @Test
    void aTerminalForRunAndExec() {
        String docker = Engine.Dockerd.CLI + " -H unix://" + dockerd.socket;
        Engine.assertTerminal(Engine.tty(Map.of(), docker + " run --rm -t --runtime=crema --network none " + Engine.IMAGE
                + " sh -c " + Engine.ON_A_TTY), 4);

        dockerRun("-d", "--name", "crema-ttyexec", Engine.IMAGE, "sleep", "600").ok();
        try {
            Engine.assertTerminal(Engine.tty(Map.of(), docker + " exec -t crema-ttyexec sh -c " + Engine.EXEC_ON_A_TTY), 0);
        } finally {
            d("rm", "-f", "crema-ttyexec");
        }
    }
}

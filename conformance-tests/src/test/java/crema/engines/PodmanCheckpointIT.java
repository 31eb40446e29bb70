package crema.engines;

import static crema.engines.Engine.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.conformance.CriuCheck;
import java.io.IOException;
import java.nio.file.Files;
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
 * `podman container checkpoint` and `restore` with crema as podman's runtime (and with runc, the reference, when
 * the checkpoint lane runs the class again with -Dcrema.binary=runc): where criu check passes. Podman keeps its
 * store and configuration in a directory of the test's own (cgroupfs, no network), with the suites' busybox
 * rootfs (BusyboxImage) imported.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanCheckpointIT {
    private static final String IMAGE = "localhost/crema-checkpoint-busybox:latest";
    /** Counts into /tmp/counter, on the container's stdio from conmon (pipes that restore hands back). */
    private static final String COUNTER = "i=0; while :; do i=$((i+1)); echo $i > /tmp/counter.new;"
            + " mv /tmp/counter.new /tmp/counter; sleep 0.2; done";
    private Path dir;
    private Map<String, String> env;

    @BeforeAll
    void setUp() throws Exception {
        Engine.requireCommands("podman", "conmon", "criu");
        CriuCheck.assumeWorks();
        dir = Files.createTempDirectory("podman-checkpoint");
        Engine.write(dir.resolve("containers.conf"), """
                [engine]
                cgroup_manager = "cgroupfs"
                events_logger = "file"
                events_logfile_path = "%s"
                tmp_dir = "%s"
                image_copy_tmp_dir = "%s"
                [network]
                network_config_dir = "%s"
                """.formatted(dir.resolve("events.log"), dir.resolve("tmp"), dir.resolve("tmp"), dir.resolve("networks")));
        env = PodmanIT.storageEnv(dir.resolve("containers.conf"), dir.resolve("storage.conf"), "vfs", dir.resolve("graph"),
                dir.resolve("runroot"));
        p("import", BusyboxImage.in(dir.resolve("image"), IMAGE, List.of("sh")).rootfs().toString(), IMAGE).ok();
    }

    @AfterAll
    void cleanUp() {
        if (dir == null) return;
        p("rm", "-a", "-f", "-t", "0");
        Engine.sleep(300); // conmon's `podman container cleanup` after an exit mounts the store
        Engine.wipe(dir);
    }

    private Engine.Result p(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--runtime", Engine.CREMA.toString(),
                "--root", dir.resolve("graph").toString(), "--runroot", dir.resolve("runroot").toString()));
        cmd.addAll(List.of(args));
        return run(env, cmd.toArray(String[]::new));
    }

    private void startCounting(String name) {
        p("run", "-d", "--pull", "never", "--network", "none", "--name", name, IMAGE, "sh", "-c", COUNTER).ok();
        awaitCounterAbove(name, 2);
    }

    private int counter(String name) {
        Engine.Result r = p("exec", name, "cat", "/tmp/counter");
        return r.exit() == 0 && r.text().matches("\\d+") ? Integer.parseInt(r.text()) : -1;
    }

    private int awaitCounterAbove(String name, int n) {
        int[] last = {-1};
        Engine.waitFor(() -> (last[0] = counter(name)) > n, Duration.ofSeconds(60),
                name + "'s counter to go above " + n);
        return last[0];
    }

    private String status(String name) {
        return p("inspect", "--format", "{{.State.Status}}", name).ok().text();
    }

    /** The counter in the container's rootfs while it does not run (podman mount). */
    private int counterAtRest(String name) throws IOException {
        Path mounted = Path.of(p("mount", name).ok().text());
        try {
            return Integer.parseInt(Files.readString(mounted.resolve("tmp/counter")).trim());
        } finally {
            p("unmount", name).ok();
        }
    }

    @Test
    void aCheckpointedContainerIsRestoredAndGoesOnCounting() throws Exception {
        startCounting("counter");
        p("container", "checkpoint", "counter").ok();
        assertEquals("exited", status("counter"));
        int dumped = counterAtRest("counter");
        p("container", "restore", "counter").ok();
        assertEquals("running", status("counter"));
        int after = awaitCounterAbove("counter", dumped);
        assertTrue(after < dumped + 20, "counted from " + dumped + " to " + after + ": not from where it stopped");
        assertTrue(p("ps", "--format", "{{.Names}}").ok().text().lines().anyMatch("counter"::equals));
        p("stop", "-t", "1", "counter").ok();
        p("rm", "counter").ok();
    }

    @Test
    void anExportedCheckpointIsImportedAsTheContainerItWas() throws Exception {
        startCounting("migrating");
        Path archive = dir.resolve("migrating.tar.gz");
        p("container", "checkpoint", "--leave-running", "--export", archive.toString(), "migrating").ok();
        assertEquals("running", status("migrating"), "--leave-running stopped the container");
        int later = awaitCounterAbove("migrating", counter("migrating") + 5);
        p("rm", "-f", "-t", "0", "migrating").ok();
        p("container", "restore", "--import", archive.toString()).ok();
        assertEquals("running", status("migrating"));
        int first = counter("migrating");
        assertTrue(first > 0 && first < later, "the import did not go back to the dump: killed at " + later
                + ", restored at " + first);
        awaitCounterAbove("migrating", first);
        p("rm", "-f", "-t", "0", "migrating").ok();
    }
}

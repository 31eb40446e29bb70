package crema.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import crema.conformance.TestUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Rootless Podman on crema: a user made by the test (with the /etc/subuid and
 * /etc/subgid ranges useradd grants) runs podman with `--runtime` naming the
 * built crema, with its own storage (vfs) under its own home and runtime dir:
 * none of the engine suites' fixed paths. Every step runs with runc as well,
 * and both must give the same output. `--network none`: this host's
 * /dev/net/tun is 0600, so slirp4netns cannot open it as a user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RootlessPodmanIT {
    private static final String IMAGE = "localhost/busybox-rootless:latest";
    private static final Path RUNC = Path.of("/usr/sbin/runc");
    private TestUser user;

    @BeforeAll
    void setUp() {
        assumeTrue("root".equals(System.getProperty("user.name")), "the test makes a user: it needs root");
        Engine.requireCommands("podman", "conmon", "newuidmap", "newgidmap", "setpriv", "useradd");
        assumeTrue(Files.isExecutable(RUNC), "runc, the reference, is not installed");
        user = TestUser.create("crpod");
        Path conf = user.home.resolve("containers");
        user.sh("mkdir -p " + conf).ok();
        user.write(conf.resolve("containers.conf"), """
                [engine]
                cgroup_manager = "cgroupfs"
                events_logger = "file"
                events_logfile_path = "%s/events.log"
                runtime_supports_json = ["crema", "runc"]
                """.formatted(user.runtimeDir));
        user.write(conf.resolve("storage.conf"), """
                [storage]
                driver = "vfs"
                graphroot = "%s/storage"
                runroot = "%s/containers"
                """.formatted(user.home, user.runtimeDir));
        // the image: a busybox rootfs the user imports itself (there is no registry)
        podman("sh", "mkdir -p rootfs/bin rootfs/tmp && chmod 1777 rootfs/tmp && cp /bin/busybox rootfs/bin/ && for a in $(busybox --list); do"
                + " [ $a = busybox ] || ln -s busybox rootfs/bin/$a; done && tar -C rootfs -c . | podman import"
                + " --change 'CMD [\"sh\"]' - " + IMAGE + " >/dev/null && rm -rf rootfs").ok();
    }

    @AfterAll
    void tearDown() {
        if (user == null) return;
        user.sh(Map.of(), "podman system reset --force >/dev/null 2>&1; true", 120);
        user.close();
    }

    private TestUser.Result podman(String how, String line) {
        Map<String, String> env = Map.of("CONTAINERS_CONF", user.home.resolve("containers/containers.conf").toString(),
                "CONTAINERS_STORAGE_CONF", user.home.resolve("containers/storage.conf").toString());
        return user.sh(env, how.equals("sh") ? line : "podman --runtime " + how + " " + line, 120);
    }

    /** The same podman line with runc and with crema: both succeed with the same output, which is returned. */
    private String same(String line) {
        TestUser.Result runc = podman(RUNC.toString(), line);
        TestUser.Result crema = podman(Engine.CREMA.toString(), line);
        assertEquals(0, runc.exit(), "runc: " + line + "\n" + runc.err());
        assertEquals(0, crema.exit(), "crema: " + line + "\n" + crema.err());
        assertEquals(runc.out(), crema.out(), line);
        return crema.out();
    }

    @Test
    void runPrintsTheContainersOutput() {
        String out = same("run --rm --network none " + IMAGE + " sh -c 'echo hello; id -u; cat /proc/self/uid_map | tr -s \" \"'");
        assertTrue(out.startsWith("hello\n0\n 0 " + user.uid + " 1\n"), out);
    }

    @Test
    void aDetachedContainerTakesExecThenStopsAndIsRemoved() {
        List<String> outputs = new ArrayList<>();
        for (String runtime : List.of(RUNC.toString(), Engine.CREMA.toString())) {
            String name = "d" + (runtime.endsWith("crema") ? "crema" : "runc");
            assertEquals(0, podman(runtime, "run -d --name " + name + " --network none " + IMAGE
                    + " sh -c 'echo up > /tmp/up; exec sleep 300'").exit());
            TestUser.Result exec = podman(runtime, "exec " + name + " sh -c 'cat /tmp/up; id -u'");
            assertEquals(0, exec.exit(), exec.err());
            outputs.add(exec.out());
            assertEquals(0, podman(runtime, "stop -t 2 " + name).exit());
            assertTrue(podman(runtime, "ps -a --format '{{.Names}} {{.Status}}'").out().contains(name + " Exited"));
            assertEquals(0, podman(runtime, "rm " + name).exit());
            assertFalse(podman(runtime, "ps -a --format '{{.Names}}'").out().contains(name));
        }
        assertEquals("up\n0\n", outputs.get(0));
        assertEquals(outputs.get(0), outputs.get(1));
    }

    @Test
    void aNonRootUserInsideTheContainerGetsASubordinateId() {
        String out = same("run --rm --network none --user 1000:1000 " + IMAGE
                + " sh -c 'id -u; id -g; touch /x 2>/dev/null && echo wrote-root-dir || echo denied'");
        assertEquals("1000\n1000\ndenied\n", out);
    }

    /** On a cgroup v1 host rootless podman has no cgroup to put a limit in: it warns and runs without it, either runtime. */
    @Test
    void aMemoryLimitIsWhatTheHostsCgroupsAllow() {
        same("run --rm --network none --memory 64m " + IMAGE + " true");
    }
}

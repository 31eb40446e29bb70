package crema.engines;

import static crema.engines.Engine.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.conformance.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The kubelet's path: containerd's CRI plugin with a runtime handler "crema"
 * (runtime_type io.containerd.runc.v2, BinaryName = crema's path), a pod
 * sandbox and containers in it, driven through the CRI API itself (CriClient).
 * The CRI checks of the engine smoke scripts' containerd-smoke.sh: in order, one pod.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CriIT {
    private static final Path RUN = Engine.RUN.resolve("cri");
    private static final String NS = "k8s.io";
    private static final String PAUSE = "localhost/pause-crema:latest";
    private static final String CGROUP_PARENT = "crema-engines-cri";
    private Engine.Containerd containerd;
    private CriClient client;
    private String pod;

    @BeforeAll
    void setUp() {
        Engine.requireCommands("containerd", "ctr", "containerd-shim-runc-v2", "python3");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                CriClient.usable(),
                "python3-grpcio and python3-protobuf are not installed (.ci/run installs them)");
        containerd = new Engine.Containerd("cri", NS, CGROUP_PARENT, CriClient.pluginConfig(PAUSE,
                Engine.VAR.resolve("cri").resolve("cni"), "overlayfs", Map.of("crema",
                        "BinaryName = \"%s\"\nRoot = \"%s\"".formatted(Engine.CREMA, RUN.resolve("runtime-root")))));
        client = new CriClient(containerd.socket, RUN.resolve("cri-schema.pb"));
        cri("ListPodSandbox");
        client.purge();
        containerd.importImage(NS, Engine.busybox());
        containerd.importImage(NS, BusyboxImage.in(Engine.VAR.resolve("pause-image"), PAUSE, List.of("sleep", "2147483647")));
    }

    @AfterAll
    void tearDown() {
        if (client != null) {
            client.purge();
            client.close();
        }
        if (containerd != null) {
            containerd.close();
        }
    }

    private Engine.Result cri(String method, String request) {
        return client.cri(method, request);
    }

    private Engine.Result cri(String method) {
        return client.cri(method);
    }

    private Object call(String method, Object request, String path) {
        return client.call(method, request, path);
    }

    private static List<?> list(Object o) {
        return CriClient.list(o);
    }

    private Map<String, Object> sandboxConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("metadata", Map.of("name", "crema-pod", "uid", "crema-pod-uid", "namespace", "crema-engines", "attempt", 0));
        c.put("logDirectory", RUN.resolve("pod-logs").toString());
        c.put("linux", Map.of("cgroupParent", "/" + CGROUP_PARENT,
                "securityContext", Map.of("namespaceOptions", Map.of("network", "NODE"))));
        return c;
    }

    /** Creates a container in the pod; extra is merged into its config. Returns its id. */
    private String container(String name, List<String> command, Map<String, Object> extra) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("metadata", Map.of("name", name));
        config.put("image", Map.of("image", Engine.IMAGE));
        config.put("command", command);
        config.put("logPath", name + ".log");
        config.putAll(extra);
        return (String) call("CreateContainer", Map.of("podSandboxId", pod, "sandboxConfig", sandboxConfig(), "config", config),
                "containerId");
    }

    private String state(String id) {
        return (String) call("ContainerStatus", Map.of("containerId", id), "status.state");
    }

    @Test
    @Order(1)
    void theRuntimeIsReadyAndTheImagesAreThere() {
        cri("Version").ok();
        String status = cri("Status").ok().out();
        assertContains(status.replaceAll("\\s", ""), "\"type\":\"RuntimeReady\",\"status\":true");
        String images = cri("ListImages").ok().out();
        assertContains(images, Engine.IMAGE);
        assertContains(images, PAUSE);
    }

    @Test
    @Order(2)
    void aPodSandboxRunsOnCrema() throws Exception {
        Files.createDirectories(RUN.resolve("pod-logs"));
        pod = (String) call("RunPodSandbox", Map.of("config", sandboxConfig(), "runtimeHandler", "crema"), "podSandboxId");
        assertEquals("SANDBOX_READY", call("PodSandboxStatus", Map.of("podSandboxId", pod), "status.state"));
        assertEquals("crema", call("PodSandboxStatus", Map.of("podSandboxId", pod), "status.runtimeHandler"));
        // the sandbox's pause container is crema's: its state is in the handler's root
        assertContains(Engine.run(Engine.CREMA.toString(), "--root", RUN.resolve("runtime-root").resolve(NS).toString(),
                "state", pod).ok().out(), "\"status\": \"running\"");
    }

    @Test
    @Order(3)
    void aContainerRunsItsCommandAndLogs() throws Exception {
        String id = container("c-run", List.of("sh", "-c", "echo hello-cri $FOO $(pwd); exit 3"), Map.of(
                "envs", List.of(Map.of("key", "FOO", "value", "bar")), "workingDir", "/tmp",
                "linux", Map.of("resources", Map.of("memoryLimitInBytes", 67108864))));
        call("StartContainer", Map.of("containerId", id), "");
        Engine.waitFor(() -> state(id).equals("CONTAINER_EXITED"), Duration.ofSeconds(10), "the container to exit");
        assertEquals(3, ((Number) call("ContainerStatus", Map.of("containerId", id), "status.exitCode")).intValue());
        assertContains(Files.readString(RUN.resolve("pod-logs").resolve("c-run.log")), "stdout F hello-cri bar /tmp");
        call("RemoveContainer", Map.of("containerId", id), "");
    }

    @Test
    @Order(4)
    void execSyncUpdateAndStop() {
        String id = container("c-long", List.of("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"), Map.of());
        call("StartContainer", Map.of("containerId", id), "");
        assertEquals("CONTAINER_RUNNING", state(id));
        String r = cri("ExecSync", Json.write(Map.of("containerId", id, "cmd", List.of("sh", "-c", "echo exec-ok; exit 4"),
                "timeout", 20))).ok().out();
        assertEquals(4, ((Number) Engine.json(r, "exitCode")).intValue());
        String stdout = (String) Engine.json(r, "stdout");
        assertEquals("exec-ok\n", new String(Base64.getDecoder().decode(stdout), StandardCharsets.UTF_8));
        if (Engine.cremaSupports("update")) {
            call("UpdateContainerResources", Map.of("containerId", id, "linux", Map.of("memoryLimitInBytes", 33554432)), "");
            long pid = pid(id);
            assertEquals("33554432", Engine.read(Engine.cgroupFile(pid, "memory", "memory.limit_in_bytes", "memory.max")));
        }
        call("StopContainer", Map.of("containerId", id, "timeout", 10), "");
        assertEquals("CONTAINER_EXITED", state(id));
        assertEquals(0, ((Number) call("ContainerStatus", Map.of("containerId", id), "status.exitCode")).intValue());
        call("RemoveContainer", Map.of("containerId", id), "");
    }

    /** The host pid of a CRI container's task (ctr task ls: TASK PID STATUS). */
    private long pid(String id) {
        for (String line : containerd.ctr(NS, "task", "ls").out().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals(id)) return Long.parseLong(f[1]);
        }
        throw new AssertionError("no task " + id);
    }

    @Test
    @Order(5)
    void thePodGoesAway() {
        call("StopPodSandbox", Map.of("podSandboxId", pod), "");
        call("RemovePodSandbox", Map.of("podSandboxId", pod), "");
        assertTrue(list(Engine.json(cri("ListPodSandbox").ok().out(), "items")).isEmpty());
        assertTrue(list(Engine.json(cri("ListContainers").ok().out(), "containers")).isEmpty());
        assertEquals("", Engine.run(Engine.CREMA.toString(), "--root", RUN.resolve("runtime-root").resolve(NS).toString(),
                "list", "-q").ok().text());
    }
}

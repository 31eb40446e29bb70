package crema.engines;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import crema.conformance.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The engines in their systemd configurations, where systemd is the init
 * (scripts/test-systemd boots one in qemu; elsewhere the suite is skipped):
 * podman with cgroup_manager = "systemd", containerd's runc v2 shim with
 * SystemdCgroup from ctr, containerd's CRI plugin with SystemdCgroup = true
 * driven as the kubelet drives it, and dockerd with native.cgroupdriver=systemd,
 * each once with runc (the reference) and once with crema. Each
 * runtime is reached through a wrapper that records its arguments, so the
 * suite sees the engine pass --systemd-cgroup. Both runtimes must show the
 * same: the container in a transient scope of the engine's slice with the
 * limits in `systemctl show` and in the kernel's files, exec, stop, and the
 * scope gone afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SystemdEnginesIT {
    private static final long LIMIT = 64L * 1024 * 1024;
    /** containerd's containers: scopes sd-ctr-ID.scope in this slice. */
    private static final String SLICE = "crema-engines.slice";
    private static final String NS = "crema-systemd";
    private final Map<String, Path> runtimes = new LinkedHashMap<>();
    private Path tmp;
    private BusyboxImage busyboxImage;
    private boolean unified;
    private Map<String, String> podmanEnv;
    private Engine.Daemon containerd;

    /** sd_booted()'s test, and a systemd that answers. */
    private static boolean systemdIsInit() {
        return Files.isDirectory(Path.of("/run/systemd/system"))
                && !Engine.run("systemctl", "is-system-running").text().isEmpty();
    }

    @BeforeAll
    void setUp() throws IOException {
        assumeTrue(systemdIsInit(), "needs systemd as the init: scripts/test-systemd");
        Engine.requireCommands("podman", "conmon", "containerd", "ctr", "containerd-shim-runc-v2", "runc", "systemctl");
        unified = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        tmp = Files.createTempDirectory("sd-engines");
        runtimes.put("runc", wrapper("runc", Path.of("/usr/sbin/runc")));
        runtimes.put("crema", wrapper("crema", Engine.CREMA));
    }

    @AfterAll
    void tearDown() {
        if (tmp == null) return;
        if (containerd != null) containerd.close();
        Engine.run("systemctl", "stop", SLICE);
        if (podmanEnv != null) podman("rm", "-a", "-f", "-t", "0");
        Engine.sleep(300);
        Engine.wipe(tmp);
    }

    /** An executable that appends its arguments to NAME.args and runs binary with them. */
    private Path wrapper(String name, Path binary) {
        Path w = tmp.resolve("wrappers").resolve(name);
        Engine.write(w, "#!/bin/sh\necho \"$*\" >> " + tmp.resolve(name + ".args") + "\nexec " + binary + " \"$@\"\n");
        w.toFile().setExecutable(true);
        return w;
    }

    /** Whether runtime name was run for create with --systemd-cgroup. */
    private String createdWithSystemd(String name) {
        Path args = tmp.resolve(name + ".args");
        try {
            boolean seen = Files.exists(args) && Files.readAllLines(args).stream()
                    .anyMatch(l -> l.contains("--systemd-cgroup") && l.contains(" create "));
            Files.deleteIfExists(args);
            return seen ? "create --systemd-cgroup" : "no create with --systemd-cgroup";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The suites' busybox image, built once in the test's directory. */
    private BusyboxImage busybox() {
        if (busyboxImage == null) {
            busyboxImage = BusyboxImage.in(tmp.resolve("image"), "localhost/crema-sd-busybox:latest", List.of("sh"));
        }
        return busyboxImage;
    }

    /** A busybox root of its own for a ctr container, unpacked from the image's rootfs. */
    private Path rootfs(String name) {
        Path root = tmp.resolve(name);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Engine.run("tar", "-C", root.toString(), "-xf", busybox().rootfs().toString()).ok();
        return root;
    }

    private String show(String unit, String property) {
        return Engine.run("systemctl", "show", "-p", property, "--value", unit).ok().text();
    }

    private String memoryProperty() {
        return unified ? "MemoryMax" : "MemoryLimit";
    }

    /** The cgroup of pid in the memory hierarchy (v1), else the unified one, with id as ID. */
    private static String cgroupOf(long pid, String id) {
        String unifiedPath = "";
        for (String line : Engine.read(Path.of("/proc", Long.toString(pid), "cgroup")).split("\n")) {
            String[] f = line.split(":", 3);
            if (List.of(f[1].split(",")).contains("memory")) return f[2].replace(id, "ID");
            if (f[0].equals("0")) unifiedPath = f[2].replace(id, "ID");
        }
        return unifiedPath;
    }

    /** What is seen of a container's scope while it runs: systemd's properties and the kernel's files. */
    private void observeScope(Map<String, String> seen, String unit, long pid, String id) {
        seen.put("cgroup", cgroupOf(pid, id));
        seen.put("ActiveState", show(unit, "ActiveState"));
        seen.put("Slice", show(unit, "Slice"));
        seen.put("Delegate", show(unit, "Delegate"));
        seen.put(memoryProperty(), show(unit, memoryProperty()));
        seen.put("memory file", Engine.read(Engine.cgroupFile(pid, "memory", "memory.limit_in_bytes", "memory.max")));
    }

    /** LoadState of the unit once it is gone, or what it still is after 15 s. */
    private String awaitGone(String unit) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String state;
        while (!(state = show(unit, "LoadState")).equals("not-found") && System.nanoTime() < deadline) Engine.sleep(200);
        return state;
    }

    /** The engine's steps with runc, then with crema: each must see expected, and its runtime be created with --systemd-cgroup. */
    private static void assertRuncAndCremaSee(String engine, Map<String, String> expected,
            Function<String, Map<String, String>> steps) {
        expected.put("runtime", "create --systemd-cgroup");
        Map<String, String> runc = steps.apply("runc");
        Map<String, String> crema = steps.apply("crema");
        assertAll(() -> assertEquals(expected, runc, engine + " with runc, the reference"),
                () -> assertEquals(expected, crema, engine + " with crema"));
    }

    // ---------------------------------------------------------------- podman

    private Engine.Result podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman"));
        cmd.addAll(List.of(args));
        return Engine.run(podmanEnv, cmd.toArray(String[]::new));
    }

    private void configurePodman() {
        Path var = tmp.resolve("podman");
        Map<String, List<String>> keys = new LinkedHashMap<>();
        keys.put("engine", List.of("cgroup_manager = \"systemd\"", "events_logger = \"file\"",
                "events_logfile_path = \"" + var.resolve("events.log") + "\"", "tmp_dir = \"" + var.resolve("t") + "\"",
                "image_copy_tmp_dir = \"" + var.resolve("image-tmp") + "\"", "runtime = \"crema\"",
                "runtime_supports_json = [\"crema\", \"runc\"]"));
        keys.put("engine.runtimes", List.of("crema = [\"" + runtimes.get("crema") + "\"]",
                "runc = [\"" + runtimes.get("runc") + "\"]"));
        keys.put("network", List.of("network_config_dir = \"" + var.resolve("networks") + "\""));
        Engine.write(var.resolve("containers.conf"), PodmanIT.distributionConf(keys));
        // vfs: the guest's root is an overlay already, and the image is one small layer
        podmanEnv = PodmanIT.storageEnv(var.resolve("containers.conf"), var.resolve("storage.conf"), "vfs",
                var.resolve("graph"), var.resolve("runroot"));
        Engine.write(var.resolve("image-tmp/.keep"), "");
        podman("import", "-q", busybox().rootfs().toString(), busybox().ref()).ok();
    }

    /** podman's steps with runtime name: what is seen at each. */
    private Map<String, String> podmanSteps(String runtime) {
        return cliSteps(args -> {
            List<String> all = new ArrayList<>(List.of("--runtime", runtime));
            all.addAll(args);
            return podman(all.toArray(String[]::new));
        }, List.of("--pull", "never"), "sd-" + runtime, busybox().ref(), "libpod-", runtime);
    }

    /**
     * The steps of an engine's CLI (podman's and docker's are alike in these): a --rm run, a detached container with
     * limits in its scope (unitPrefix + ID), exec, stop, rm, and the scope gone; wrapper is the runtime's.
     */
    private Map<String, String> cliSteps(Function<List<String>, Engine.Result> cli, List<String> runFlags, String name,
            String image, String unitPrefix, String wrapper) {
        Map<String, String> seen = new LinkedHashMap<>();
        List<String> run = new ArrayList<>(List.of("run", "--network", "none"));
        run.addAll(runFlags);
        seen.put("run --rm", cli.apply(with(run, "--rm", image, "echo", "hello-from-a-scope")).ok().text());
        String id = cli.apply(with(run, "-d", "--name", name, "--memory", "64m", "--pids-limit", "50", image, "sh", "-c",
                Engine.TRAP_TERM)).ok().text();
        String unit = unitPrefix + id + ".scope";
        try {
            long pid = Long.parseLong(cli.apply(List.of("inspect", "-f", "{{.State.Pid}}", name)).ok().text());
            observeScope(seen, unit, pid, id);
            seen.put("TasksMax", show(unit, "TasksMax"));
            seen.put("pids file", Engine.read(Engine.cgroupFile(pid, "pids", "pids.max", "pids.max")));
            Engine.Result exec = cli.apply(List.of("exec", name, "sh", "-c", "echo exec-ok; exit 4"));
            seen.put("exec", exec.text() + " " + exec.exit());
            cli.apply(List.of("stop", "-t", "10", name)).ok();
            seen.put("stopped", cli.apply(List.of("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name)).ok().text());
            cli.apply(List.of("rm", name)).ok();
        } finally {
            cli.apply(List.of("rm", "-f", name));
        }
        seen.put("scope after rm", awaitGone(unit));
        seen.put("runtime", createdWithSystemd(wrapper));
        return seen;
    }

    private static List<String> with(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    /** cgroup: the slice's path, as systemd nests a-b.slice in a.slice. */
    private Map<String, String> expectedScope(String cgroup, String slice, String unit) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("cgroup", cgroup + "/" + unit);
        e.put("ActiveState", "active");
        e.put("Slice", slice);
        e.put("Delegate", "yes");
        e.put(memoryProperty(), Long.toString(LIMIT));
        e.put("memory file", Long.toString(LIMIT));
        return e;
    }

    @Test
    void podmanWithTheSystemdCgroupManager() {
        configurePodman();
        assertRuncAndCremaSee("podman", expectedOfCli("machine.slice", "libpod-ID.scope"), this::podmanSteps);
    }

    /** What cliSteps must see with the container's scope unit in slice. */
    private Map<String, String> expectedOfCli(String slice, String unit) {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("run --rm", "hello-from-a-scope");
        expected.putAll(expectedScope("/" + slice, slice, unit));
        expected.put("TasksMax", "50");
        expected.put("pids file", "50");
        expected.put("exec", "exec-ok 4");
        expected.put("stopped", "exited 0");
        expected.put("scope after rm", "not-found");
        return expected;
    }

    // ---------------------------------------------------------------- containerd

    private Engine.Result ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", tmp.resolve("containerd/containerd.sock").toString(),
                "--namespace", NS));
        cmd.addAll(List.of(args));
        return Engine.run(cmd.toArray(String[]::new));
    }

    private void startContainerd() {
        Path dir = tmp.resolve("containerd");
        // ctr passes the shim's options (BinaryName, SystemdCgroup) itself
        containerd = Engine.Containerd.start(dir, dir, dir.resolve("containerd.sock"), "");
    }

    private String taskField(String id, int column) {
        for (String line : ctr("task", "ls").out().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > column && f[0].equals(id)) return f[column];
        }
        return "";
    }

    /** ctr run with runtime's wrapper as the shim's runc binary and systemd's cgroups; the container's scope is sd-ctr-ID.scope. */
    private Engine.Result ctrRun(String runtime, String id, String... flagsAndCommand) {
        List<String> cmd = new ArrayList<>(List.of("run", "--runtime", "io.containerd.runc.v2", "--runc-binary",
                runtimes.get(runtime).toString(), "--runc-root", tmp.resolve("runc-root-" + runtime).toString(),
                "--runc-systemd-cgroup", "--cgroup", SLICE + ":sd-ctr:" + id, "--fifo-dir", tmp.resolve("fifo").toString(),
                "--env", "PATH=/bin")); // a bare rootfs has no image config to give one
        cmd.addAll(List.of(flagsAndCommand));
        return ctr(cmd.toArray(String[]::new));
    }

    /** containerd's steps with runtime name: what is seen at each. */
    private Map<String, String> containerdSteps(String runtime) {
        Map<String, String> seen = new LinkedHashMap<>();
        String once = "sd-" + runtime + "-once";
        seen.put("run --rm", ctrRun(runtime, once, "--rm", "--rootfs", rootfs(once).toString(), once, "echo",
                "hello-from-a-scope").ok().text());
        seen.put("scope after run --rm", awaitGone("sd-ctr-" + once + ".scope"));
        String id = "sd-" + runtime + "-pod";
        String unit = "sd-ctr-" + id + ".scope";
        String fifo = tmp.resolve("fifo").toString();
        try {
            ctrRun(runtime, id, "-d", "--null-io", "--memory-limit", Long.toString(LIMIT), "--rootfs", rootfs(id).toString(), id,
                    "sh", "-c", Engine.TRAP_TERM).ok();
            Engine.waitFor(() -> taskField(id, 2).equals("RUNNING"), Duration.ofSeconds(20), id + " to run");
            observeScope(seen, unit, Long.parseLong(taskField(id, 1)), id);
            // a probe as the kubelet runs it: an exec whose output and exit code count
            Engine.Result probe = ctr("task", "exec", "--fifo-dir", fifo, "--exec-id", "probe1", id, "sh", "-c",
                    "echo probe-ok; exit 3");
            seen.put("probe exec", probe.text() + " " + probe.exit());
            seen.put("second probe", ctr("task", "exec", "--fifo-dir", fifo, "--exec-id", "probe2", id, "true").exit() + "");
            ctr("task", "kill", id).ok();
            Engine.waitFor(() -> taskField(id, 2).equals("STOPPED"), Duration.ofSeconds(20), id + " to stop");
            Engine.Result deleted = ctr("task", "delete", id);
            seen.put("task delete", deleted.exit() + " " + (deleted.out() + deleted.err()).contains("non-zero exit code"));
            ctr("container", "delete", id).ok();
        } finally {
            if (ctr("task", "kill", "-s", "SIGKILL", id).exit() == 0) Engine.sleep(500);
            ctr("task", "delete", id);
            ctr("container", "delete", id);
        }
        seen.put("scope after delete", awaitGone(unit));
        seen.put("runtime", createdWithSystemd(runtime));
        return seen;
    }

    @Test
    void containerdWithTheSystemdCgroupDriver() {
        startContainerd();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("run --rm", "hello-from-a-scope");
        expected.put("scope after run --rm", "not-found");
        expected.putAll(expectedScope("/crema.slice/" + SLICE, SLICE, "sd-ctr-ID.scope"));
        expected.put("probe exec", "probe-ok 3");
        expected.put("second probe", "0");
        expected.put("task delete", "0 false");
        expected.put("scope after delete", "not-found");
        assertRuncAndCremaSee("containerd", expected, this::containerdSteps);
    }

    // ---------------------------------------------------------------- containerd's CRI plugin, as the kubelet drives it

    /** The pod's cgroup parent as a kubelet with the systemd driver names it: systemd nests it in kubepods.slice. */
    private static final String POD_SLICE = "kubepods-besteffort-podcrema.slice";
    private static final String POD_SLICE_PATH = "/kubepods.slice/kubepods-besteffort.slice/" + POD_SLICE;
    private static final String PAUSE = "localhost/crema-sd-pause:latest";
    private CriClient cri;
    private Engine.Daemon criContainerd;

    /** containerd with the CRI plugin: a handler sd-NAME per runtime, each the runc v2 shim with SystemdCgroup = true. */
    private void startCriContainerd() {
        Path dir = tmp.resolve("cri");
        Map<String, String> handlers = new LinkedHashMap<>();
        for (Map.Entry<String, Path> r : runtimes.entrySet()) {
            handlers.put("sd-" + r.getKey(), "BinaryName = \"%s\"\nRoot = \"%s\"\nSystemdCgroup = true".formatted(r.getValue(),
                    dir.resolve("runtime-root-" + r.getKey())));
        }
        // native snapshots: the guest's root is an overlay already, which cannot be an overlay's upper layer
        criContainerd = Engine.Containerd.start(dir, dir, dir.resolve("containerd.sock"),
                CriClient.pluginConfig(PAUSE, dir.resolve("cni"), "native", handlers));
        cri = new CriClient(dir.resolve("containerd.sock"), dir.resolve("cri-schema.pb"));
        BusyboxImage pause = BusyboxImage.in(tmp.resolve("pause-image"), PAUSE, List.of("sleep", "2147483647"));
        for (BusyboxImage image : List.of(busybox(), pause)) {
            Engine.run("ctr", "--address", dir.resolve("containerd.sock").toString(), "--namespace", "k8s.io", "images",
                    "import", "--snapshotter", "native", image.ociArchive().toString()).ok();
        }
    }

    private Map<String, Object> podConfig(String runtime) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("metadata", Map.of("name", "pod-" + runtime, "uid", "uid-" + runtime, "namespace", "crema", "attempt", 0));
        c.put("logDirectory", tmp.resolve("cri/pod-logs-" + runtime).toString());
        c.put("linux", Map.of("cgroupParent", POD_SLICE, "securityContext",
                Map.of("namespaceOptions", Map.of("network", "NODE"))));
        return c;
    }

    /** The host pid of a CRI container's task (ctr task ls: TASK PID STATUS). */
    private long criPid(String id) {
        Path socket = tmp.resolve("cri/containerd.sock");
        for (String line : Engine.run("ctr", "--address", socket.toString(), "--namespace", "k8s.io", "task", "ls").out()
                .split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals(id)) return Long.parseLong(f[1]);
        }
        throw new AssertionError("no task " + id);
    }

    /** The kubelet's steps with runtime handler name: a pod, a limited container, a probe, stop and removal. */
    private Map<String, String> criSteps(String runtime) {
        Map<String, String> seen = new LinkedHashMap<>();
        Map<String, Object> podConfig = podConfig(runtime);
        try {
            Files.createDirectories(tmp.resolve("cri/pod-logs-" + runtime));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String pod = (String) cri.call("RunPodSandbox", Map.of("config", podConfig, "runtimeHandler", "sd-" + runtime),
                "podSandboxId");
        String podUnit = "cri-containerd-" + pod + ".scope";
        seen.put("sandbox cgroup", cgroupOf(criPid(pod), pod));
        seen.put("sandbox Slice", show(podUnit, "Slice"));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("metadata", Map.of("name", "c"));
        config.put("image", Map.of("image", busybox().ref()));
        config.put("command", List.of("sh", "-c", Engine.TRAP_TERM));
        config.put("logPath", "c.log");
        config.put("linux", Map.of("resources", Map.of("memoryLimitInBytes", LIMIT)));
        String id = (String) cri.call("CreateContainer", Map.of("podSandboxId", pod, "sandboxConfig", podConfig,
                "config", config), "containerId");
        String unit = "cri-containerd-" + id + ".scope";
        cri.call("StartContainer", Map.of("containerId", id), "");
        observeScope(seen, unit, criPid(id), id);
        // a probe: ExecSync, whose exit code and output the kubelet reads
        String probe = cri.cri("ExecSync", Json.write(Map.of("containerId", id,
                "cmd", List.of("sh", "-c", "echo probe-ok; exit 3"), "timeout", 30))).ok().out();
        seen.put("probe", new String(Base64.getDecoder().decode((String) Engine.json(probe, "stdout")), StandardCharsets.UTF_8)
                .trim() + " " + ((Number) Engine.json(probe, "exitCode")).intValue());
        cri.call("StopContainer", Map.of("containerId", id, "timeout", 10), "");
        seen.put("stopped", cri.call("ContainerStatus", Map.of("containerId", id), "status.state") + " "
                + ((Number) cri.call("ContainerStatus", Map.of("containerId", id), "status.exitCode")).intValue());
        cri.call("RemoveContainer", Map.of("containerId", id), "");
        seen.put("scope after remove", awaitGone(unit));
        cri.call("StopPodSandbox", Map.of("podSandboxId", pod), "");
        cri.call("RemovePodSandbox", Map.of("podSandboxId", pod), "");
        seen.put("sandbox scope after remove", awaitGone(podUnit));
        seen.put("runtime", createdWithSystemd(runtime));
        return seen;
    }

    @Test
    void containerdCriWithSystemdCgroup() {
        assumeTrue(CriClient.usable(), "python3-grpcio and python3-protobuf are not installed (.ci/run installs them)");
        startCriContainerd();
        try {
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("sandbox cgroup", POD_SLICE_PATH + "/cri-containerd-ID.scope");
            expected.put("sandbox Slice", POD_SLICE);
            expected.putAll(expectedScope(POD_SLICE_PATH, POD_SLICE, "cri-containerd-ID.scope"));
            expected.put("probe", "probe-ok 3");
            expected.put("stopped", "CONTAINER_EXITED 0");
            expected.put("scope after remove", "not-found");
            expected.put("sandbox scope after remove", "not-found");
            assertRuncAndCremaSee("containerd's CRI", expected, this::criSteps);
        } finally {
            if (cri != null) {
                cri.purge();
                cri.close();
            }
            if (criContainerd != null) criContainerd.close();
            Engine.run("systemctl", "stop", "kubepods.slice");
        }
    }

    // ---------------------------------------------------------------- dockerd

    @Test
    void dockerdWithTheSystemdCgroupDriver() {
        Engine.requireCommands("dockerd", "docker");
        // runc is dockerd's own name: the reference is registered as "ref-runc", both behind their wrappers
        Map<String, Path> dockerRuntimes = Map.of("ref-runc", runtimes.get("runc"), "crema", runtimes.get("crema"));
        try (Engine.Dockerd dockerd = new Engine.Dockerd("systemd-docker", json -> {
            json.put("exec-opts", List.of("native.cgroupdriver=systemd"));
            json.remove("cgroup-parent"); // system.slice, the driver's default
            json.put("storage-driver", "vfs"); // the guest's root is an overlay already
            Map<String, Object> registered = new LinkedHashMap<>();
            dockerRuntimes.forEach((n, p) -> registered.put(n, Map.of("path", p.toString())));
            json.put("runtimes", registered);
        })) {
            Function<List<String>, Engine.Result> docker = args -> dockerd.docker(args.toArray(String[]::new));
            // The guest's kernel has AppArmor, which dockerd cannot load its profile into (no apparmor_parser) and crema
            // does not apply (README, LSMs): the containers run unconfined.
            assertRuncAndCremaSee("dockerd", expectedOfCli("system.slice", "docker-ID.scope"), runtime -> cliSteps(docker,
                    List.of("--runtime", runtime.equals("runc") ? "ref-runc" : runtime, "--security-opt", "apparmor=unconfined"),
                    "sd-docker-" + runtime, Engine.IMAGE, "docker-", runtime));
        }
    }
}

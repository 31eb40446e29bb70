package crema.engines;

import crema.conformance.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The CRI API of one containerd, as the kubelet calls it, through
 * cri_client.py (a test resource next to this class: Debian has no crictl).
 * Requests and responses are JSON; the client reads containerd's runtime.v1
 * schema from the containerd binary once and keeps it in schemaCache.
 */
final class CriClient {
    /** The client script, from the test classpath. */
    private static final Path SCRIPT = resource("cri_client.py");
    private final Path socket;
    private final Path schemaCache;

    CriClient(Path socket, Path schemaCache) {
        this.socket = socket;
        this.schemaCache = schemaCache;
    }

    /**
     * containerd's config for its CRI plugin: the sandbox image, no CNI network (the pods use the host's), snapshots
     * by snapshotter, runc the default handler, and handlers (name to the runc v2 shim's options, in TOML) besides it.
     */
    static String pluginConfig(String sandboxImage, Path cniConfDir, String snapshotter, Map<String, String> handlers) {
        StringBuilder toml = new StringBuilder("""
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%s"
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  enable_selinux = false
                  disable_apparmor = true
                  # without CAP_SYS_RESOURCE the sandbox's oom_score_adj -998 cannot be written
                  restrict_oom_score_adj = true
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "/usr/lib/cni"
                    conf_dir = "%s"
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "%s"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                """.formatted(sandboxImage, cniConfDir, snapshotter));
        handlers.forEach((name, options) -> toml.append("""
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.%1$s]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.%1$s.options]
                """.formatted(name)).append(options.indent(8)));
        return toml.toString();
    }

    /** Whether python3 has the modules the client needs. */
    static boolean usable() {
        return Engine.run("/usr/bin/python3", "-c", "import grpc, google.protobuf").exit() == 0;
    }

    /** One CRI call: the method and its request as JSON; the response as JSON. */
    Engine.Result cri(String method, String request) {
        return Engine.runWithInput(Map.of(), request, "/usr/bin/python3", SCRIPT.toString(),
                "--sock", socket.toString(), "--cache", schemaCache.toString(), method, "-");
    }

    Engine.Result cri(String method) {
        return cri(method, "{}");
    }

    /** A call that must succeed: the value at path (dotted) of its response; "" for the whole of it. */
    Object call(String method, Object request, String path) {
        return Engine.json(cri(method, Json.write(request)).ok().out(), path);
    }

    /** Stops and removes every container and pod sandbox, ignoring failures. */
    void purge() {
        Engine.Result containers = cri("ListContainers");
        if (containers.exit() == 0) {
            for (Object c : list(Engine.json(containers.out(), "containers"))) {
                String id = (String) ((Map<?, ?>) c).get("id");
                cri("StopContainer", Json.write(Map.of("containerId", id, "timeout", 0)));
                cri("RemoveContainer", Json.write(Map.of("containerId", id)));
            }
        }
        Engine.Result pods = cri("ListPodSandbox");
        if (pods.exit() == 0) {
            for (Object p : list(Engine.json(pods.out(), "items"))) {
                String id = (String) ((Map<?, ?>) p).get("id");
                cri("StopPodSandbox", Json.write(Map.of("podSandboxId", id)));
                cri("RemovePodSandbox", Json.write(Map.of("podSandboxId", id)));
            }
        }
    }

    /** A JSON list, or the empty list where protobuf's JSON left an empty field out. */
    static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static Path resource(String name) {
        try {
            return Path.of(CriClient.class.getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

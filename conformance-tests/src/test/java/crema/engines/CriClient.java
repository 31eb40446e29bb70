package crema.engines;

import crema.conformance.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The CRI API of one containerd, as the kubelet calls it, through
 * cri_client.py (a test resource next to this class: Debian has no crictl),
 * one python process for all calls. Requests and responses are JSON; the
 * client reads containerd's runtime.v1 schema from the containerd binary once
 * and keeps it in schemaCache.
 */
final class CriClient implements AutoCloseable {
    /** The client script, from the test classpath. */
    private static final Path SCRIPT = resource("cri_client.py");
    private static final long CALL_SECONDS = 90;
    private final Path socket;
    private final Path schemaCache;
    /** The script in --serve mode, started at the first call: one python start for all calls. */
    private Process server;
    private BufferedWriter requests;
    private BufferedReader answers;
    private final ExecutorService reading = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cri-client-answers");
        t.setDaemon(true);
        return t;
    });

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

    /** One CRI call: the method and its request as JSON; the response as JSON (exit 0), or the gRPC error (exit 1). */
    Engine.Result cri(String method, String request) {
        try {
            if (server == null) {
                server = new ProcessBuilder("/usr/bin/python3", SCRIPT.toString(), "--sock", socket.toString(),
                        "--cache", schemaCache.toString(), "--serve")
                        .redirectError(errors().toFile()).start();
                requests = new BufferedWriter(new OutputStreamWriter(server.getOutputStream(), StandardCharsets.UTF_8));
                answers = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            }
            // one line per call: a JSON document has no raw newline inside its strings
            requests.write(("{\"method\": " + Json.write(method) + ", \"request\": " + request.strip() + "}").replace('\n', ' ')
                    + "\n");
            requests.flush();
            Future<String> answer = reading.submit(answers::readLine);
            String line;
            try {
                line = answer.get(CALL_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                close();
                throw new AssertionError("the CRI call " + method + " got no answer within " + CALL_SECONDS + " s");
            }
            if (line == null) {
                throw new AssertionError("the CRI client ended (exit " + server.waitFor() + ") at " + method + ":\n"
                        + Files.readString(errors()));
            }
            if (line.startsWith("ok ")) return new Engine.Result(0, line.substring(3), "");
            return new Engine.Result(1, "", line.startsWith("error ") ? line.substring(6) : line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ExecutionException e) {
            throw new AssertionError("reading the CRI client's answer to " + method, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Where the client's stderr goes: beside the schema cache. */
    private Path errors() {
        return schemaCache.resolveSibling("cri-client.err");
    }

    /** Ends the client (its stdin closes), waiting a little for it. */
    @Override
    public void close() {
        reading.shutdownNow();
        if (server == null) return;
        try {
            requests.close();
            if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
        } catch (IOException e) {
            server.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.destroyForcibly();
        }
        server = null;
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

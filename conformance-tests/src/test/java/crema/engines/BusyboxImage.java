package crema.engines;

import crema.conformance.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine suites' image, made here because there is no registry: Debian's
 * static busybox (package busybox-static) with a link per applet, /etc/passwd
 * and /etc/group with root (0) and nobody (65534), and a config with PATH,
 * WorkingDir / and the given Cmd, tagged ref. Written to a directory as
 * <ul>
 * <li>{@link #rootfs()}: the plain root file system tar (podman import, docker import),
 * <li>{@link #dockerArchive()}: a docker-archive, manifest.json, config and layer tar (docker load, podman load),
 * <li>{@link #ociArchive()}: an OCI image layout in a tar, oci-layout, index.json and blobs/sha256/ (ctr images import).
 * </ul>
 * The archives are the same bytes for the same busybox, ref and Cmd, and are
 * only written again when one of those changed or a file is missing.
 */
record BusyboxImage(Path dir, String ref) {
    static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final String CREATED = "1970-01-01T00:00:00Z";
    private static final String LAYOUT_VERSION = "crema-busybox-image 1";
    private static final String ROOTFS = "busybox-rootfs.tar";
    private static final String DOCKER = "busybox-docker.tar";
    private static final String OCI = "busybox-oci.tar";
    private static final String STAMP = "image.stamp";

    Path rootfs() {
        return dir.resolve(ROOTFS);
    }

    Path dockerArchive() {
        return dir.resolve(DOCKER);
    }

    Path ociArchive() {
        return dir.resolve(OCI);
    }

    /** The image ref with Cmd cmd in dir, built unless dir has it already. */
    static BusyboxImage in(Path dir, String ref, List<String> cmd) {
        if (!Files.isExecutable(BUSYBOX)) {
            throw new IllegalStateException(BUSYBOX + " is missing: scripts/deps installs busybox-static");
        }
        BusyboxImage image = new BusyboxImage(dir, ref);
        try {
            byte[] busybox = Files.readAllBytes(BUSYBOX);
            String stamp = String.join("\n", LAYOUT_VERSION, ref, Json.write(cmd), sha256(busybox)) + "\n";
            Path stampFile = dir.resolve(STAMP);
            if (Files.exists(stampFile) && Files.readString(stampFile).equals(stamp) && Files.isRegularFile(image.rootfs())
                    && Files.isRegularFile(image.dockerArchive()) && Files.isRegularFile(image.ociArchive())) {
                return image;
            }
            Files.createDirectories(dir);
            Files.deleteIfExists(stampFile);
            byte[] layer = rootfs(busybox, applets());
            byte[] config = config(sha256(layer), cmd);
            publish(image.rootfs(), layer);
            publish(image.dockerArchive(), dockerArchive(layer, config, ref));
            publish(image.ociArchive(), ociArchive(layer, config, ref));
            publish(stampFile, stamp.getBytes(StandardCharsets.UTF_8));
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The applets of busybox --list but busybox itself, sorted. */
    private static List<String> applets() {
        Engine.Result r = Engine.run(BUSYBOX.toString(), "--list").ok();
        List<String> applets = new ArrayList<>();
        for (String a : r.out().split("\n")) {
            if (!a.isBlank() && !a.equals("busybox")) applets.add(a.strip());
        }
        applets.sort(null);
        return applets;
    }

    /** The root file system as a tar whose names start with ./ (what import and a layer expect). */
    static byte[] rootfs(byte[] busybox, List<String> applets) {
        Tar tar = new Tar().directory("./", 0755);
        for (String d : List.of("bin", "dev", "etc", "home", "mnt", "proc", "run", "sbin", "sys", "usr", "usr/bin",
                "usr/sbin", "var")) {
            tar.directory("./" + d, 0755);
        }
        tar.directory("./root", 0700).directory("./tmp", 01777).directory("./var/tmp", 01777);
        tar.file("./bin/busybox", 0755, busybox);
        for (String applet : applets) tar.symlink("./bin/" + applet, "busybox");
        tar.file("./etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
        tar.file("./etc/group", "root:x:0:\nnogroup:x:65534:\n");
        // mount points the engines bind their own files onto
        tar.file("./etc/hosts", "").file("./etc/resolv.conf", "").file("./etc/hostname", "busybox\n");
        return tar.bytes();
    }

    /** The image config (OCI and docker alike): one uncompressed layer whose diff id is layerDigest. */
    static byte[] config(String layerDigest, List<String> cmd) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Env", List.of(PATH));
        config.put("Cmd", cmd);
        config.put("WorkingDir", "/");
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("created", CREATED);
        image.put("architecture", architecture());
        image.put("os", "linux");
        image.put("config", config);
        image.put("rootfs", ordered("type", "layers", "diff_ids", List.of("sha256:" + layerDigest)));
        image.put("history", List.of(ordered("created", CREATED, "created_by", "crema engine suites: busybox-static")));
        return json(image);
    }

    /** docker save's layout: manifest.json naming the config and the layer tar, and the ref as RepoTags. */
    static byte[] dockerArchive(byte[] layer, byte[] config, String ref) {
        String layerDigest = sha256(layer);
        String configFile = sha256(config) + ".json";
        String layerFile = layerDigest + "/layer.tar";
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("Config", configFile);
        manifest.put("RepoTags", List.of(ref));
        manifest.put("Layers", List.of(layerFile));
        int colon = ref.lastIndexOf(':');
        byte[] repositories = json(Map.of(ref.substring(0, colon), Map.of(ref.substring(colon + 1), layerDigest)));
        return new Tar().file(configFile, 0644, config).directory(layerDigest, 0755).file(layerFile, 0644, layer)
                .file("manifest.json", 0644, json(List.of(manifest))).file("repositories", 0644, repositories).bytes();
    }

    /** An OCI image layout: the layer, config and manifest as blobs, index.json naming the manifest ref. */
    static byte[] ociArchive(byte[] layer, byte[] config, String ref) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", config));
        manifest.put("layers", List.of(descriptor("application/vnd.oci.image.layer.v1.tar", layer)));
        byte[] manifestJson = json(manifest);
        Map<String, Object> entry = descriptor("application/vnd.oci.image.manifest.v1+json", manifestJson);
        entry.put("platform", ordered("architecture", architecture(), "os", "linux"));
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put("io.containerd.image.name", ref);
        annotations.put("org.opencontainers.image.ref.name", ref.substring(ref.lastIndexOf(':') + 1));
        entry.put("annotations", annotations);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        index.put("manifests", List.of(entry));
        Tar tar = new Tar().file("oci-layout", 0644, json(Map.of("imageLayoutVersion", "1.0.0")))
                .file("index.json", 0644, json(index))
                .directory("blobs", 0755).directory("blobs/sha256", 0755);
        for (byte[] blob : List.of(layer, config, manifestJson)) tar.file("blobs/sha256/" + sha256(blob), 0644, blob);
        return tar.bytes();
    }

    private static Map<String, Object> descriptor(String mediaType, byte[] blob) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", "sha256:" + sha256(blob));
        d.put("size", blob.length);
        return d;
    }

    /** The OCI name of this machine's architecture. */
    static String architecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A map of the given keys and values in that order (Map.of's order changes from run to run). */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    private static byte[] json(Object tree) {
        return Json.write(tree).getBytes(StandardCharsets.UTF_8);
    }

    /** Writes file through a temporary sibling, so a reader never sees half of it. */
    private static void publish(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

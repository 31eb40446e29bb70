package crema.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A busybox-static bundle: rootfs/bin/busybox with a link per applet, and a
 * config.json from `crema spec` (terminal off) that tests edit as a tree.
 */
final class Bundle {
    static final Path BUSYBOX = Path.of("/bin/busybox");
    private static List<String> applets;

    final Path dir;
    final Path rootfs;
    final Map<String, Object> config;

    @SuppressWarnings("unchecked")
    Bundle(Path dir, Crema crema) {
        this.dir = dir;
        this.rootfs = dir.resolve("rootfs");
        try {
            makeRootfs(rootfs);
            crema.run("spec", "--bundle", dir.toString()).ok();
            config = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("config.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        set("process.terminal", false);
    }

    /** A bundle whose config.json is there already (one a test user made, say). */
    @SuppressWarnings("unchecked")
    Bundle(Path dir) {
        this.dir = dir;
        this.rootfs = dir.resolve("rootfs");
        try {
            config = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("config.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void makeRootfs(Path rootfs) throws IOException {
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(BUSYBOX, bin.resolve("busybox"));
        for (String applet : applets()) {
            Path link = bin.resolve(applet);
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of("busybox"));
        }
        for (String d : List.of("proc", "sys", "dev", "tmp", "etc", "root")) Files.createDirectories(rootfs.resolve(d));
    }

    private static synchronized List<String> applets() throws IOException {
        if (applets == null) {
            Process p = new ProcessBuilder(BUSYBOX.toString(), "--list").start();
            applets = List.of(new String(p.getInputStream().readAllBytes()).split("\n"));
        }
        return applets;
    }

    /** The process args: a shell line run by /bin/sh -c. */
    Bundle shell(String line) {
        return set("process.args", new ArrayList<>(List.of("/bin/sh", "-c", line)));
    }

    /** Sets a dotted path ("process.user.uid"), creating objects on the way. */
    @SuppressWarnings("unchecked")
    Bundle set(String path, Object value) {
        String[] parts = path.split("\\.");
        Map<String, Object> node = config;
        for (int i = 0; i < parts.length - 1; i++) {
            node = (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new java.util.LinkedHashMap<String, Object>());
        }
        node.put(parts[parts.length - 1], value);
        return this;
    }

    @SuppressWarnings("unchecked")
    Object get(String path) {
        Object node = config;
        for (String part : path.split("\\.")) node = ((Map<String, Object>) node).get(part);
        return node;
    }

    @SuppressWarnings("unchecked")
    List<Object> list(String path) {
        return (List<Object>) get(path);
    }

    Bundle remove(String path) {
        int dot = path.lastIndexOf('.');
        @SuppressWarnings("unchecked")
        Map<String, Object> parent = dot < 0 ? config : (Map<String, Object>) get(path.substring(0, dot));
        parent.remove(path.substring(dot + 1));
        return this;
    }

    Bundle save() {
        try {
            Files.writeString(dir.resolve("config.json"), Json.write(config));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}

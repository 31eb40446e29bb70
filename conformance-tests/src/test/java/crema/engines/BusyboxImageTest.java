package crema.engines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.conformance.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine suites' image, read back with the system's tar as an engine would read it. */
class BusyboxImageTest {
    private static final String REF = "localhost/busybox-test:v1";

    @TempDir
    Path tmp;

    /** Unpacks archive into a new dir under tmp with GNU tar (which checks every header's checksum). */
    private Path untar(Path archive, String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Engine.run("tar", "-xf", archive.toString(), "-C", dir.toString()).ok();
        return dir;
    }

    private static Object json(Path file, String path) throws Exception {
        return Engine.json(Files.readString(file), path);
    }

    private static String digest(Path file) throws Exception {
        return "sha256:" + BusyboxImage.sha256(Files.readAllBytes(file));
    }

    @Test
    void theRootfsHasBusyboxItsAppletsAndTheTwoUsers() throws Exception {
        BusyboxImage image = BusyboxImage.in(tmp.resolve("image"), REF, List.of("sh"));
        String listing = Engine.run("tar", "-tvf", image.rootfs().toString()).ok().out();
        assertTrue(listing.contains("./bin/sh -> busybox"), listing);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("drwxrwxrwt") && l.endsWith(" ./tmp/")), listing);
        assertTrue(listing.lines().allMatch(l -> l.contains(" root/root ")), listing);
        Path root = untar(image.rootfs(), "rootfs");
        assertArrayEquals(Files.readAllBytes(BusyboxImage.BUSYBOX), Files.readAllBytes(root.resolve("bin/busybox")));
        assertTrue(Files.isExecutable(root.resolve("bin/busybox")));
        assertEquals(Path.of("busybox"), Files.readSymbolicLink(root.resolve("bin/cat")));
        assertTrue(Files.readAllLines(root.resolve("etc/passwd")).containsAll(List.of(
                "root:x:0:0:root:/root:/bin/sh", "nobody:x:65534:65534:nobody:/home:/bin/false")));
        assertTrue(Files.readAllLines(root.resolve("etc/group")).containsAll(List.of("root:x:0:", "nogroup:x:65534:")));
        if ("root".equals(System.getProperty("user.name"))) {
            // the static busybox runs in it on its own
            assertEquals("in-image 65534", Engine.run("chroot", root.toString(), "/bin/sh", "-c",
                    "echo in-image $(grep ^nobody /etc/passwd | cut -d: -f3)").ok().text());
        }
    }

    @Test
    void theDockerArchiveNamesItsConfigAndLayerByDigest() throws Exception {
        BusyboxImage image = BusyboxImage.in(tmp.resolve("image"), REF, List.of("sleep", "9"));
        Path d = untar(image.dockerArchive(), "docker");
        Path manifest = d.resolve("manifest.json");
        assertEquals(List.of(REF), json(manifest, "0.RepoTags"));
        Path config = d.resolve((String) json(manifest, "0.Config"));
        Path layer = d.resolve((String) json(manifest, "0.Layers.0"));
        assertEquals(config.getFileName().toString(), digest(config).substring("sha256:".length()) + ".json");
        assertArrayEquals(Files.readAllBytes(image.rootfs()), Files.readAllBytes(layer));
        assertEquals(List.of(digest(layer)), json(config, "rootfs.diff_ids"));
        assertEquals(List.of("sleep", "9"), json(config, "config.Cmd"));
        assertEquals("/", json(config, "config.WorkingDir"));
        assertTrue(((String) json(config, "config.Env.0")).startsWith("PATH=/"));
        assertEquals(Map.of("localhost/busybox-test", Map.of("v1", digest(layer).substring(7))),
                Json.parse(Files.readString(d.resolve("repositories"))));
    }

    @Test
    void theOciArchiveIsALayoutWhoseBlobsMatchTheirDigests() throws Exception {
        BusyboxImage image = BusyboxImage.in(tmp.resolve("image"), REF, List.of("sh"));
        Path o = untar(image.ociArchive(), "oci");
        assertEquals("1.0.0", json(o.resolve("oci-layout"), "imageLayoutVersion"));
        Path index = o.resolve("index.json");
        Map<?, ?> annotations = (Map<?, ?>) json(index, "manifests.0.annotations");
        assertEquals(REF, annotations.get("io.containerd.image.name"));
        assertEquals("v1", annotations.get("org.opencontainers.image.ref.name"));
        Path manifest = blob(o, (String) json(index, "manifests.0.digest"), json(index, "manifests.0.size"));
        Path config = blob(o, (String) json(manifest, "config.digest"), json(manifest, "config.size"));
        Path layer = blob(o, (String) json(manifest, "layers.0.digest"), json(manifest, "layers.0.size"));
        assertEquals("application/vnd.oci.image.layer.v1.tar", json(manifest, "layers.0.mediaType"));
        assertEquals(List.of(digest(layer)), json(config, "rootfs.diff_ids"));
        assertEquals(List.of("sh"), json(config, "config.Cmd"));
        assertEquals("linux", json(config, "os"));
    }

    /** The blob of digest in layout o, checked against digest and size. */
    private static Path blob(Path o, String digest, Object size) throws Exception {
        Path blob = o.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
        assertEquals(digest, digest(blob));
        assertEquals(((Number) size).longValue(), Files.size(blob));
        return blob;
    }

    @Test
    void theSameInputsGiveTheSameBytesAndAreNotWrittenAgain() throws Exception {
        BusyboxImage a = BusyboxImage.in(tmp.resolve("a"), REF, List.of("sh"));
        BusyboxImage b = BusyboxImage.in(tmp.resolve("b"), REF, List.of("sh"));
        for (Function<BusyboxImage, Path> archive : List.<Function<BusyboxImage, Path>>of(
                BusyboxImage::rootfs, BusyboxImage::dockerArchive, BusyboxImage::ociArchive)) {
            assertArrayEquals(Files.readAllBytes(archive.apply(a)), Files.readAllBytes(archive.apply(b)));
        }
        FileTime old = FileTime.fromMillis(0);
        Files.setLastModifiedTime(a.ociArchive(), old);
        BusyboxImage.in(tmp.resolve("a"), REF, List.of("sh"));
        assertEquals(old, Files.getLastModifiedTime(a.ociArchive()), "rebuilt although nothing changed");
        byte[] before = Files.readAllBytes(a.ociArchive());
        BusyboxImage.in(tmp.resolve("a"), REF, List.of("sh", "-x"));
        assertNotEquals(old, Files.getLastModifiedTime(a.ociArchive()), "not rebuilt for another Cmd");
        assertFalse(Arrays.equals(before, Files.readAllBytes(a.ociArchive())));
        Files.delete(a.rootfs());
        BusyboxImage.in(tmp.resolve("a"), REF, List.of("sh", "-x"));
        assertTrue(Files.isRegularFile(a.rootfs()), "a missing archive is made again");
    }
}

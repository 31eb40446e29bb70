package crema.lifecycle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.spec.Spec;
import crema.spec.SpecParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rootfs that is not the dumped one gets the mountpoints create would make, and none through a symlink. */
class RestoreMountpointsTest {
    @TempDir
    Path tmp;

    @Test
    void filesForBindsOfFilesDirectoriesForTheRestNothingThroughASymlink() throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        Path hostFile = Files.writeString(tmp.resolve("containerenv"), "");
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(rootfs.resolve("link"), outside);
        Spec spec = SpecParser.parseConfig(("""
                {"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "mounts": [
                  {"destination": "/run/.containerenv", "type": "bind", "source": "%s", "options": ["bind"]},
                  {"destination": "/dev/shm", "type": "tmpfs", "source": "shm"},
                  {"destination": "/link/inside", "type": "tmpfs", "source": "tmpfs"}]}
                """).formatted(hostFile).getBytes(StandardCharsets.UTF_8));
        Restore.makeMountpoints(rootfs, spec);
        assertTrue(Files.isRegularFile(rootfs.resolve("run/.containerenv")));
        assertTrue(Files.isDirectory(rootfs.resolve("dev/shm")));
        assertFalse(Files.exists(outside.resolve("inside")), "made a mountpoint through a symlink of the rootfs");
    }
}

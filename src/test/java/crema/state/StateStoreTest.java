package crema.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state dir's modes (runc's): no other user reads a container's saved config and env. */
class StateStoreTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static ContainerRecord record(String id) {
        return new ContainerRecord("1.3.0", id, 0, 0, "/b", "/b/rootfs", "now", "root", Map.of(), List.of(), List.of(), false);
    }

    @Test
    void theRootAndTheParentsItMakesAreOwnerOnlyAndAContainerDirCanOnlyBePassed() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        StateStore store = new StateStore(shared.resolve("a/root"));
        Path dir = store.reserve("c1");
        assertEquals("rwxr-xr-x", mode(shared), "an existing parent keeps its mode");
        assertEquals("rwx------", mode(shared.resolve("a")));
        assertEquals("rwx------", mode(shared.resolve("a/root")));
        assertEquals("rwx--x--x", mode(dir));
        assertThrows(ContainerException.class, () -> store.reserve("c1"));
    }

    @Test
    void stateFilesAreOwnerOnlyEvenOverAStaleTempFile() throws Exception {
        StateStore store = new StateStore(tmp.resolve("root"));
        Path dir = store.reserve("c1");
        // a save killed between write and rename left its temp file, readable by all
        Path stale = Files.writeString(dir.resolve(".state.json.tmp"), "{half");
        Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rw-r--r--"));
        store.save(record("c1"));
        assertEquals("rw-------", mode(dir.resolve("state.json")));
        assertEquals("c1", store.load("c1").id());
        StateStore.writePrivate(dir.resolve("config.json"), "{}".getBytes());
        assertEquals("rw-------", mode(dir.resolve("config.json")));
        try (var s = Files.list(dir)) {
            assertEquals(List.of("config.json", "state.json"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}

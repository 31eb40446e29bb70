package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/** Out of disk under --root, out of fds: a clear error and nothing left behind. */
class ExhaustionIT extends ConformanceBase {

    @Test
    void aFullDiskUnderTheRoot() throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small-root"));
        assertEquals(0, new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small.toString()).inheritIO().start().waitFor());
        try {
            // Fill it: what is left is too little for a state file.
            new ProcessBuilder("dd", "if=/dev/zero", "of=" + small.resolve("filler"), "bs=4k").start().waitFor();
            Crema full = new Crema(small.resolve("state"));
            bundle.shell("true").save();
            String id = newId();
            Crema.Result r = full.run("create", "--bundle", bundle.dir.toString(), id);
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().toLowerCase().contains("no space left on device"), r.err());
            assertFalse(Files.exists(small.resolve("state").resolve(id)), "state dir left behind");
            assertNothingLeft(id);
        } finally {
            new ProcessBuilder("umount", "-l", small.toString()).start().waitFor();
        }
    }

    @Test
    void runningOutOfFileDescriptors() throws Exception {
        bundle.set("process.rlimits", new ArrayList<>());
        bundle.shell("true").save();
        for (int limit = 6; limit <= 9; limit++) {
            String id = newId();
            Crema.Result r = crema.shell("ulimit -n " + limit + "; $CREMA run --bundle " + bundle.dir + " " + id);
            if (r.exit() != 0) {
                assertEquals(1, r.exit(), r.err());
                assertTrue(r.err().toLowerCase().contains("too many open files"), r.err());
            }
            assertFalse(Files.exists(crema.root.resolve(id)), "state dir left behind at ulimit -n " + limit + ": " + r.err());
            assertNothingLeft(id);
        }
    }
}

package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Limits so tight the container cannot even be set up: a clear failure, and nothing left behind. */
class LimitsAtSetupIT extends ConformanceBase {

    @Test
    void anInitOomKilledDuringSetup() throws Exception {
        // Far below what a process needs: the init is OOM-killed while it sets the container up.
        bundle.set("linux.resources.memory", new LinkedHashMap<>(Map.of("limit", 256 * 1024)));
        bundle.shell("true").save();
        String id = newId();
        Crema.Result r = crema.run("run", "--bundle", bundle.dir.toString(), id);
        if (r.exit() != 0) {
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().contains("container init exited") || r.err().contains("memory"), r.err());
        }
        assertNothingLeft(id);
    }

    @Test
    void aPidsLimitOfOne() throws Exception {
        bundle.set("linux.resources.pids", new LinkedHashMap<>(Map.of("limit", 1)));
        // crema-init's stage1 counts while it clones the init, so even the clone is refused: EAGAIN, said clearly.
        bundle.shell("echo one; (echo two) | cat; echo three");
        Crema.Result r = run();
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("clone: resource temporarily unavailable"), r.err());
        assertNothingLeft(ids.get(ids.size() - 1));
    }
}

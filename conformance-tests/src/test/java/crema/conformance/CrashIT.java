package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * crema SIGKILLed at each step of create, start and delete (the point named by
 * _CREMA_TEST_CRASH_AT): `delete --force` then leaves nothing behind, and the
 * id can be used again at once.
 */
class CrashIT extends ConformanceBase {
    private static final String CRASH = "_CREMA_TEST_CRASH_AT";

    private void assertRecovers(String id) throws Exception {
        crema.run("delete", "--force", id).ok();
        assertFalse(crema.run("list", "-q").ok().out().lines().anyMatch(id::equals), "still listed");
        assertNothingLeft(id);
        bundle.shell("echo again");
        bundle.save();
        assertEquals("again\n", crema.run("run", "--bundle", bundle.dir.toString(), id).ok().out());
        assertNothingLeft(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"create:saved", "create:cgroups", "create:spawned", "create:pid", "create:mounts", "create:ready"})
    void killedDuringCreate(String point) throws Exception {
        bundle.shell("sleep 300").save();
        String id = newId();
        Crema.Result r = crema.runWith(Map.of(CRASH, point), "create", "--bundle", bundle.dir.toString(), id);
        assertEquals(137, r.exit(), r.err());
        assertRecovers(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"start:opened", "start:released"})
    void killedDuringStart(String point) throws Exception {
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("create", "--bundle", bundle.dir.toString(), id).ok();
        assertEquals(137, crema.runWith(Map.of(CRASH, point), "start", id).exit());
        assertRecovers(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"delete:killed", "delete:cgroups"})
    void killedDuringDelete(String point) throws Exception {
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), id).ok();
        assertEquals(137, crema.runWith(Map.of(CRASH, point), "delete", "--force", id).exit());
        assertRecovers(id);
    }
}

package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Many crema processes at once: distinct ids, one id, and mixed commands on one id. */
class ConcurrencyIT extends ConformanceBase {

    @Test
    void aHundredLifecyclesInParallel() throws Exception {
        bundle.shell("sleep 300").save();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String id = newId();
            results.add(pool.submit(() -> {
                for (String[] cmd : List.of(new String[] {"create", "--bundle", bundle.dir.toString(), id},
                        new String[] {"start", id}, new String[] {"kill", id, "KILL"}, new String[] {"delete", "--force", id})) {
                    Crema.Result r = crema.run(cmd);
                    if (r.exit() != 0) return String.join(" ", cmd) + ": " + r.err();
                }
                return "";
            }));
        }
        pool.shutdown();
        for (Future<String> f : results) assertEquals("", f.get());
        assertEquals("", crema.run("list", "-q").ok().out());
        for (String id : ids) assertNothingLeft(id);
    }

    @Test
    void twentyCreatesOfOneIdLeaveExactlyOneContainer() throws Exception {
        bundle.shell("sleep 300").save();
        String id = newId();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<Crema.Result>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            results.add(pool.submit(() -> {
                go.await();
                return crema.run("create", "--bundle", bundle.dir.toString(), id);
            }));
        }
        go.countDown();
        pool.shutdown();
        int ok = 0;
        for (Future<Crema.Result> f : results) {
            Crema.Result r = f.get();
            if (r.exit() == 0) {
                ok++;
            } else {
                assertTrue(r.err().contains("container with id exists: " + id), r.err());
            }
        }
        assertEquals(1, ok);
        assertEquals("created", Lifecycle.status(crema, id));
        crema.run("delete", id).ok();
        assertNothingLeft(id);
    }

    @Test
    void deleteKillAndStateRacingOnOneId() throws Exception {
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), id).ok();
        ExecutorService pool = Executors.newFixedThreadPool(9);
        List<Future<Crema.Result>> results = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            String[] cmd = switch (i % 3) {
                case 0 -> new String[] {"state", id};
                case 1 -> new String[] {"kill", id, "0"};
                default -> new String[] {"delete", "--force", id};
            };
            results.add(pool.submit(() -> crema.run(cmd)));
        }
        pool.shutdown();
        for (Future<Crema.Result> f : results) {
            Crema.Result r = f.get();
            assertTrue(r.exit() == 0 || r.err().matches("crema: (container does not exist|container not running)\\n"),
                    "unexpected: " + r.exit() + " " + r.err());
            if (r.exit() == 0 && r.out().startsWith("{")) Json.parse(r.out()); // a state, whole
        }
        assertEquals("", crema.run("list", "-q").ok().out());
        assertNothingLeft(id);
    }
}

package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** create, start, state, kill, delete, list: the OCI lifecycle and runc's error wording. */
class LifecycleIT extends ConformanceBase {

    /** A host dir bound at /shared, for the container to leave marks the test can see. */
    private Path shared() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        List<Object> mounts = bundle.list("mounts");
        mounts.add(new java.util.LinkedHashMap<>(Map.of("destination", "/shared", "type", "bind",
                "source", shared.toString(), "options", new ArrayList<>(List.of("rbind", "rw")))));
        return shared;
    }

    /** The shell creates a redirect's file before it writes the line: wait up to 2 s for the line, not the file. */
    private static String awaitLine(Path file, String line) throws Exception {
        String seen = "";
        for (int i = 0; i < 200 && !seen.equals(line); i++) {
            if (Files.exists(file)) seen = Files.readString(file);
            if (!seen.equals(line)) Thread.sleep(10);
        }
        return seen;
    }

    private String create(String id) {
        bundle.save();
        crema.run("create", "--bundle", bundle.dir.toString(), id).ok();
        return id;
    }

    @Test
    void execFifoHoldsTheProcessUntilStart() throws Exception {
        Path shared = shared();
        bundle.shell("echo started > /shared/marker; sleep 300");
        String id = newId();
        Path pidFile = tmp.resolve("init.pid");
        bundle.save();
        crema.run("create", "--bundle", bundle.dir.toString(), "--pid-file", pidFile.toString(), id).ok();
        Map<String, Object> state = Lifecycle.state(crema, id);
        assertEquals("created", state.get("status"));
        assertEquals(id, state.get("id"));
        assertEquals(bundle.dir.toString(), state.get("bundle"));
        assertEquals(Files.readString(pidFile), state.get("pid").toString());
        Thread.sleep(300);
        assertFalse(Files.exists(shared.resolve("marker")), "the process ran before start");

        crema.run("start", id).ok();
        assertEquals("started\n", awaitLine(shared.resolve("marker"), "started\n"));
        assertEquals("running", Lifecycle.status(crema, id));
        assertFalse(Files.exists(crema.root.resolve(id).resolve("exec.fifo")));

        // sh as pid 1 has no TERM handler, and the kernel drops such signals to a namespace init: KILL it.
        crema.run("kill", id, "KILL").ok();
        Lifecycle.awaitStatus(crema, id, "stopped");
        assertEquals(0, Lifecycle.pid(crema, id));
        crema.run("delete", id).ok();
        assertNothingLeft(id);
    }

    @Test
    void startTwiceFails() {
        bundle.shell("sleep 300");
        String id = create(newId());
        crema.run("start", id).ok();
        Crema.Result again = crema.run("start", id);
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("cannot start an already running container"), again.err());
    }

    @Test
    void deleteOfARunningContainerNeedsForce() throws Exception {
        bundle.shell("sleep 300");
        String id = create(newId());
        crema.run("start", id).ok();
        Crema.Result r = crema.run("delete", id);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("cannot delete container " + id + " that is not stopped: running"), r.err());
        assertEquals("running", Lifecycle.status(crema, id));
        crema.run("delete", "--force", id).ok();
        assertNothingLeft(id);
    }

    @Test
    void deleteOfACreatedContainerKillsItsInit() throws Exception {
        bundle.shell("sleep 300");
        String id = create(newId());
        int pid = Lifecycle.pid(crema, id);
        crema.run("delete", id).ok();
        assertFalse(Lifecycle.alive(pid), "init still alive");
        assertNothingLeft(id);
    }

    @Test
    void killOfAStoppedContainerFailsWithRuncsWording() throws Exception {
        bundle.shell("true");
        String id = create(newId());
        crema.run("start", id).ok();
        Lifecycle.awaitStatus(crema, id, "stopped");
        Crema.Result r = crema.run("kill", id, "KILL");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("container not running"), r.err());
        crema.run("delete", id).ok();
        assertNothingLeft(id);
    }

    @Test
    void killTakesSignalNamesAndNumbers() throws Exception {
        bundle.shell("trap 'echo got-usr1 > /shared/usr1' USR1; while true; do sleep 0.1; done");
        Path shared = shared();
        String id = create(newId());
        crema.run("start", id).ok();
        Thread.sleep(300);
        crema.run("kill", id, "SIGUSR1").ok();
        assertEquals("got-usr1\n", awaitLine(shared.resolve("usr1"), "got-usr1\n"));
        crema.run("kill", id, "0").ok();
        assertEquals(1, crema.run("kill", id, "NOSUCHSIGNAL").exit());
        crema.run("kill", "--all", id, "9").ok();
        Lifecycle.awaitStatus(crema, id, "stopped");
    }

    @Test
    void aReusedPidIsNotMistakenForTheInit() throws Exception {
        bundle.shell("sleep 300");
        String id = create(newId());
        crema.run("start", id).ok();
        Path state = crema.root.resolve(id).resolve("state.json");
        String json = Files.readString(state);
        // Same pid, another start time: what a recycled pid looks like.
        Files.writeString(state, json.replaceFirst("\"initStartTime\": *(\\d+)", "\"initStartTime\": 1"));
        assertEquals("stopped", Lifecycle.status(crema, id));
        Files.writeString(state, json);
        assertEquals("running", Lifecycle.status(crema, id));
    }

    @Test
    void listShowsContainersAsTableAndJson() {
        bundle.shell("sleep 300");
        String id = create(newId());
        String table = crema.run("list").ok().out();
        assertTrue(table.startsWith("ID"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith(id + " ") && l.contains("created")), table);
        String json = crema.run("list", "--format", "json").ok().out();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) Json.parse(json);
        assertEquals(1, list.size());
        assertEquals(id, list.get(0).get("id"));
        assertEquals("created", list.get(0).get("status"));
        assertEquals(id + "\n", crema.run("list", "-q").ok().out());
    }

    @Test
    void deleteForceOfAnUnknownIdSucceeds() {
        crema.run("delete", "--force", "never-created").ok();
    }

    @Test
    void concurrentStateAndKillOnOneIdAreSafe() throws Exception {
        bundle.shell("sleep 300");
        String id = create(newId());
        crema.run("start", id).ok();
        List<Thread> threads = new ArrayList<>();
        List<Crema.Result> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 6; i++) {
            boolean kill = i % 2 == 0;
            threads.add(Thread.ofPlatform().start(() -> results.add(kill ? crema.run("kill", id, "0") : crema.run("state", id))));
        }
        for (Thread t : threads) t.join();
        for (Crema.Result r : results) assertEquals(0, r.exit(), r.err());
        assertEquals("running", Lifecycle.status(crema, id));
    }
}

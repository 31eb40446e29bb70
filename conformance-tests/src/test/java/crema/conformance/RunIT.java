package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** `crema run` in the foreground and detached. */
class RunIT extends ConformanceBase {

    @Test
    void runOfTheSpecBundlePrintsItsOutput() throws Exception {
        bundle.shell("echo hello from crema");
        String id = "run-" + ProcessHandle.current().pid();
        ids.add(id);
        bundle.save();
        Crema.Result r = crema.run("run", "--bundle", bundle.dir.toString(), id).ok();
        assertEquals("hello from crema\n", r.out());
        assertNothingLeft(id);
    }

    @Test
    void defaultArgsOfCremaSpecRunAShell() {
        // `crema spec` runs "sh"; with stdin at /dev/null it exits 0 at once.
        assertEquals(java.util.List.of("sh"), bundle.list("process.args"));
        runOk();
    }

    @Test
    void exitCodeIsTheContainers() {
        bundle.shell("exit 3");
        assertEquals(3, run().exit());
    }

    @Test
    void deathBySignalExitsWith128PlusSignal() throws Exception {
        // An init ignores signals from inside its pid namespace, so the kill comes from the host.
        bundle.shell("sleep 300").save();
        String id = newId();
        var result = new java.util.concurrent.CompletableFuture<Crema.Result>();
        Thread.ofPlatform().start(() -> result.complete(crema.run("run", "--bundle", bundle.dir.toString(), id)));
        for (int i = 0; i < 400 && !crema.run("state", id).out().contains("running"); i++) Thread.sleep(10);
        crema.run("kill", id, "KILL").ok();
        assertEquals(137, result.get(30, java.util.concurrent.TimeUnit.SECONDS).exit());
        assertNothingLeft(id);
    }

    @Test
    void detachedRunKeepsRunningUntilKilled() throws Exception {
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), id).ok();
        assertTrue(crema.run("state", id).ok().out().contains("\"status\": \"running\""));
        crema.run("kill", id, "KILL").ok();
        Lifecycle.awaitStatus(crema, id, "stopped");
        crema.run("delete", id).ok();
        assertNothingLeft(id);
    }
}

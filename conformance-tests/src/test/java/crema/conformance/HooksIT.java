package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every hook kind: when it runs, in which namespace, with the state on stdin, and what its failure does. */
class HooksIT extends ConformanceBase {

    /** A hook running a host shell line (hooks of the runtime namespace resolve on the host). */
    private static Map<String, Object> hook(String line) {
        return new LinkedHashMap<>(Map.of("path", "/bin/sh", "args", new ArrayList<>(List.of("sh", "-c", line))));
    }

    private void hooks(String kind, Map<String, Object> hook) {
        Object h = bundle.get("hooks");
        if (h == null) bundle.set("hooks", new LinkedHashMap<String, Object>());
        @SuppressWarnings("unchecked")
        Map<String, Object> hooks = (Map<String, Object>) bundle.get("hooks");
        hooks.put(kind, new ArrayList<>(List.of(hook)));
    }

    @Test
    void everyKindRunsAtItsMomentWithTheState() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("hooks"));
        // Runtime-namespace hooks record the state and their mount namespace.
        for (String kind : List.of("prestart", "createRuntime", "poststart", "poststop")) {
            hooks(kind, hook("cat > " + out + "/" + kind + ".json; readlink /proc/self/ns/mnt > " + out + "/" + kind + ".ns"));
        }
        // createContainer runs in the container's namespaces but before pivot_root: the host path still resolves.
        hooks("createContainer", hook("readlink /proc/self/ns/mnt > " + out + "/createContainer.ns; cat > " + out + "/createContainer.json"));
        // startContainer runs inside the container, after start: its path is the container's.
        Map<String, Object> start = hook("echo startContainer ran; cat");
        hooks("startContainer", start);
        bundle.shell("echo process ran").save();
        String id = newId();
        Crema.Result r = crema.run("run", "--bundle", bundle.dir.toString(), id).ok();
        String hostMnt = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();

        assertTrue(r.out().startsWith("startContainer ran\n{"), r.out());
        assertTrue(r.out().contains("\"id\""), r.out());
        assertTrue(r.out().endsWith("process ran\n"), r.out());
        for (String kind : List.of("prestart", "createRuntime", "poststart", "poststop")) {
            assertEquals(hostMnt, Files.readString(out.resolve(kind + ".ns")).trim(), kind + " ran outside the host namespace");
            Map<?, ?> state = (Map<?, ?>) Json.parse(Files.readString(out.resolve(kind + ".json")));
            assertEquals(id, state.get("id"), kind);
            assertEquals(bundle.dir.toString(), state.get("bundle"), kind);
        }
        // The hooks of create run after its step 2 (the environment is made): "created", as crun and the suite
        // (runtime-tools' hooks_stdin) have it; runc says "creating".
        for (String kind : List.of("prestart", "createRuntime", "createContainer")) {
            assertEquals("created", ((Map<?, ?>) Json.parse(Files.readString(out.resolve(kind + ".json")))).get("status"), kind);
        }
        assertEquals("running", ((Map<?, ?>) Json.parse(Files.readString(out.resolve("poststart.json")))).get("status"));
        assertEquals("stopped", ((Map<?, ?>) Json.parse(Files.readString(out.resolve("poststop.json")))).get("status"));
        assertTrue(((Number) ((Map<?, ?>) Json.parse(Files.readString(out.resolve("createContainer.json")))).get("pid")).intValue() > 0);
        assertFalse(hostMnt.equals(Files.readString(out.resolve("createContainer.ns")).trim()), "createContainer ran in the host mount namespace");
    }

    @Test
    void hookArgsAndEnvAreExactlyTheConfigs() throws Exception {
        Path out = tmp.resolve("env.txt");
        Map<String, Object> h = new LinkedHashMap<>(Map.of("path", "/bin/sh",
                "args", new ArrayList<>(List.of("custom-argv0", "-c", "echo \"$0 $FOO\"; env | wc -l > " + out + ".count; echo \"$0 $FOO\" > " + out)),
                "env", new ArrayList<>(List.of("FOO=bar"))));
        hooks("prestart", h);
        runOk();
        assertEquals("custom-argv0 bar\n", Files.readString(out));
    }

    /** A hook with no env gets the runtime's own, as with runc and crun (Go's exec with a nil Env). */
    @Test
    void aHookWithoutEnvInheritsTheRuntimes() throws Exception {
        Path out = tmp.resolve("inherited.txt");
        hooks("prestart", hook("env > " + out));
        runOk();
        assertTrue(Files.readAllLines(out).contains("PATH=" + System.getenv("PATH")), Files.readString(out));
    }

    @Test
    void aFailingPrestartHookFailsCreateAndLeavesNothing() throws Exception {
        hooks("prestart", hook("exit 3"));
        assertCreateFailsCleanly("prestart hook \"/bin/sh\" failed: exit status 3");
    }

    @Test
    void aFailingCreateContainerHookFailsCreateAndLeavesNothing() throws Exception {
        hooks("createContainer", hook("exit 4"));
        assertCreateFailsCleanly("createContainer hook \"/bin/sh\" failed");
    }

    @Test
    void aHookThatOverstaysItsTimeoutIsKilled() throws Exception {
        Map<String, Object> h = hook("sleep 30");
        h.put("timeout", 1);
        hooks("createRuntime", h);
        long t0 = System.nanoTime();
        assertCreateFailsCleanly("createRuntime hook \"/bin/sh\" timed out after 1s");
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
    }

    /**
     * A hook may exit without reading its stdin, as runc allows. The state carries an
     * annotation larger than a pipe's buffer, so the write of it always outlives the hook:
     * crema must get EPIPE and go on, not die of SIGPIPE (exit 141, state and cgroups left).
     */
    @Test
    void aHookThatDoesNotReadItsStdinDoesNotKillCreate() throws Exception {
        bundle.set("annotations", new LinkedHashMap<>(Map.of("org.crema.test.big", "x".repeat(256 * 1024))));
        Path out = tmp.resolve("ran.txt");
        for (String kind : List.of("prestart", "createRuntime", "poststart", "poststop")) {
            hooks(kind, hook("echo " + kind + " >> " + out));
        }
        bundle.shell("true");
        Crema.Result r = run();
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.err().contains("warning"), r.err());
        assertEquals(List.of("prestart", "createRuntime", "poststart", "poststop"),
                Files.readAllLines(out));
    }

    @Test
    void aFailingPoststartHookIsOnlyAWarning() {
        hooks("poststart", hook("exit 5"));
        bundle.shell("echo still ran");
        Crema.Result r = run();
        assertEquals(0, r.exit(), r.err());
        assertEquals("still ran\n", r.out());
        assertTrue(r.err().contains("warning: poststart hook \"/bin/sh\" failed: exit status 5"), r.err());
    }
}

package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every failure ends the same way: one clear line on stderr, one JSON line in
 * --log, exit 1, and nothing left behind (state dir, cgroup, process).
 */
class ErrorsIT extends ConformanceBase {

    /** Runs `create` with a JSON log and checks exit, stderr, the log line and leftovers. */
    private void assertCreateFails(String bundleDir, String expected) throws Exception {
        String id = newId();
        Path log = tmp.resolve("log-" + id + ".json");
        Crema.Result r = crema.run("--log", log.toString(), "--log-format", "json", "create", "--bundle", bundleDir, id);
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), "one line on stderr: " + r.err());
        assertTrue(r.err().contains(expected), "stderr: " + r.err());
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size(), "one log line: " + lines);
        @SuppressWarnings("unchecked")
        Map<String, Object> entry = (Map<String, Object>) Json.parse(lines.get(0));
        assertEquals("error", entry.get("level"));
        assertTrue(((String) entry.get("msg")).contains(expected), lines.get(0));
        assertTrue(entry.containsKey("time"));
        assertNothingLeft(id);
    }

    @Test
    void missingBundle() throws Exception {
        assertCreateFails(tmp.resolve("no-such-bundle").toString(), "no-such-bundle\": no such file or directory");
    }

    @Test
    void missingConfig() throws Exception {
        Files.delete(bundle.dir.resolve("config.json"));
        assertCreateFails(bundle.dir.toString(), "config.json: no such file or directory");
    }

    @Test
    void invalidJson() throws Exception {
        Files.writeString(bundle.dir.resolve("config.json"), "{\"ociVersion\": \"1.3.0\",");
        assertCreateFails(bundle.dir.toString(), "invalid JSON");
    }

    @Test
    void emptyArgsNameTheirJsonPath() throws Exception {
        bundle.set("process.args", new ArrayList<>()).save();
        assertCreateFails(bundle.dir.toString(), "process.args: must be a non-empty array");
    }

    @Test
    void aWrongTypeNamesItsJsonPath() throws Exception {
        bundle.set("linux.resources.memory", new java.util.LinkedHashMap<>(Map.of("limit", "lots"))).save();
        assertCreateFails(bundle.dir.toString(), "linux.resources.memory.limit: must be a number");
    }

    @Test
    void anUnknownNamespaceType() throws Exception {
        bundle.list("linux.namespaces").add(new java.util.LinkedHashMap<>(Map.of("type", "bogus")));
        bundle.save();
        assertCreateFails(bundle.dir.toString(), "linux.namespaces[6].type");
    }

    @Test
    void missingRootfs() throws Exception {
        bundle.set("root.path", "no-rootfs-here").save();
        assertCreateFails(bundle.dir.toString(), "no-rootfs-here\") does not exist");
    }

    @Test
    void missingExecutable() throws Exception {
        bundle.set("process.args", new ArrayList<>(List.of("no-such-binary"))).save();
        assertCreateFails(bundle.dir.toString(), "exec: \"no-such-binary\": executable file not found in $PATH");
    }

    @Test
    void missingExecutableByPath() throws Exception {
        bundle.set("process.args", new ArrayList<>(List.of("/bin/no-such-binary"))).save();
        assertCreateFails(bundle.dir.toString(), "no such file or directory");
    }

    /** A cwd missing from the rootfs is made (0755), as runc and crun make it. */
    @Test
    void aMissingCwdIsMade() throws Exception {
        bundle.set("root.readonly", false);
        bundle.set("process.cwd", "/does/not/exist");
        bundle.shell("pwd; stat -c %a .");
        assertEquals("/does/not/exist\n755\n", runOk());
    }

    @Test
    void aCwdThatIsAFile() throws Exception {
        bundle.set("process.cwd", "/bin/busybox").save();
        assertCreateFails(bundle.dir.toString(), "chdir to cwd (\"/bin/busybox\") set in config.json failed: not a directory");
    }

    @Test
    void aFailedMountCleansUp() throws Exception {
        bundle.list("mounts").add(new java.util.LinkedHashMap<>(Map.of("destination", "/x", "type", "nosuchfs", "source", "none")));
        bundle.save();
        assertCreateFails(bundle.dir.toString(), "/x");
    }

    @Test
    void duplicateIdIsRefusedAndTheFirstSurvives() throws Exception {
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("create", "--bundle", bundle.dir.toString(), id).ok();
        Crema.Result again = crema.run("create", "--bundle", bundle.dir.toString(), id);
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("container with id exists: " + id), again.err());
        assertEquals("created", Lifecycle.status(crema, id));
        crema.run("delete", id).ok();
        assertNothingLeft(id);
    }

    @Test
    void unknownIdForEveryCommand() {
        for (List<String> cmd : List.of(List.of("state", "ghost"), List.of("start", "ghost"), List.of("kill", "ghost"),
                List.of("delete", "ghost"))) {
            Crema.Result r = crema.run(cmd.toArray(String[]::new));
            assertEquals(1, r.exit(), cmd.toString());
            assertTrue(r.err().contains("container does not exist"), cmd + ": " + r.err());
        }
    }

    @Test
    void unknownCommandAndFlag() {
        assertEquals(1, crema.run("frobnicate").exit());
        Crema.Result r = crema.run("create", "--no-such-flag", "x");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("flag provided but not defined: -no-such-flag"), r.err());
    }
}

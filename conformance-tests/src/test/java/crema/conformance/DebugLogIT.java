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

/** --debug: a log line for each step of create, start, exec and delete, as runc's JSON or text lines. */
class DebugLogIT extends ConformanceBase {

    /** The log's lines, each one JSON object with runc's fields: level, msg, time. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> jsonLines(Path log) throws Exception {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Map<String, Object> o = (Map<String, Object>) Json.parse(line);
            assertEquals(List.of("level", "msg", "time"), List.copyOf(o.keySet()), line);
            lines.add(o);
        }
        return lines;
    }

    /** The messages in order, each the first line that starts with that text. */
    private static void assertSteps(List<String> messages, String... steps) {
        int at = 0;
        for (String step : steps) {
            int found = -1;
            for (int i = at; i < messages.size(); i++) {
                if (messages.get(i).startsWith(step)) {
                    found = i;
                    break;
                }
            }
            assertTrue(found >= 0, "no step \"" + step + "\" after line " + at + " in\n" + String.join("\n", messages));
            at = found + 1;
        }
    }

    private static List<String> messages(List<Map<String, Object>> lines, String level) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> l : lines) if (level.equals(l.get("level"))) out.add((String) l.get("msg"));
        return out;
    }

    @Test
    void runWritesEveryStepAsJson() throws Exception {
        bundle.shell("echo hi").save();
        Path log = tmp.resolve("debug.json");
        String id = newId();
        Crema.Result r = crema.run("--debug", "--log", log.toString(), "--log-format", "json", "run", "--bundle",
                bundle.dir.toString(), id).ok();
        assertEquals("hi\n", r.out());
        assertEquals("", r.err()); // with --log, nothing on stderr
        List<Map<String, Object>> lines = jsonLines(log);
        List<String> debug = messages(lines, "debug");
        assertEquals(lines.size(), debug.size(), lines.toString());
        assertSteps(debug, "create " + id + ": reading " + bundle.dir.resolve("config.json"), "config read", "cgroup paths: [",
                "plan built: ", "reserving ", "making the cgroups", "applying the cgroup limits", "starting the helper ",
                "helper started, pid ", "sync: sending the plan", "sync: init pid ", "sync: sending the pid ack",
                "sync: waiting for the container's mounts", "sync: sending the mounts ack", "sync: ready",
                "created " + id, "start " + id, "releasing init pid", "started; running 0 poststart hook(s)",
                "delete " + id + " (force)", "removing the cgroups", "deleted; running 0 poststop hook(s)");
    }

    @Test
    void execAndDeleteStepsAsTextOnStderrWithoutLog() throws Exception {
        String id = started("sleep 300");
        Crema.Result r = crema.run("--debug", "exec", id, "echo", "in");
        assertEquals(0, r.exit(), r.err());
        assertEquals("in\n", r.out());
        List<String> err = r.err().lines().toList();
        assertFalse(err.isEmpty());
        for (String line : err) assertTrue(line.matches("time=\"[^\"]+\" level=debug msg=\".*\""), line);
        assertSteps(err.stream().map(l -> l.replaceFirst("^.* msg=\"", "")).toList(), "exec in " + id,
                "reading the container's saved config", "building the exec plan", "plan built: ", "helper started, pid ",
                "sync: sending the plan", "sync: process pid ", "sync: waiting for the process to be ready", "exec'd pid ");
        r = crema.run("--debug", "delete", "--force", id).ok();
        assertTrue(r.err().contains("msg=\"status running: killing init pid "), r.err());
    }

    /** A failing prestart hook: the debug log names the step create failed in. */
    @Test
    void aFailingCreateNamesItsStep() throws Exception {
        Map<String, Object> hook = new LinkedHashMap<>(Map.of("path", "/bin/sh",
                "args", new ArrayList<>(List.of("sh", "-c", "exit 3"))));
        bundle.set("hooks", new LinkedHashMap<>(Map.of("prestart", new ArrayList<>(List.of(hook))))).save();
        Path log = tmp.resolve("fail.json");
        String id = newId();
        Crema.Result r = crema.run("--debug", "--log", log.toString(), "--log-format", "json", "create", "--bundle",
                bundle.dir.toString(), id);
        assertEquals(1, r.exit());
        List<Map<String, Object>> lines = jsonLines(log);
        List<String> debug = messages(lines, "debug");
        assertEquals("create failed during: hooks: running 1 prestart hook(s)", debug.get(debug.size() - 1), debug.toString());
        assertEquals(1, messages(lines, "error").size(), lines.toString());
        assertEquals("error", lines.get(lines.size() - 1).get("level"));
        assertFalse(Files.exists(crema.root.resolve(id)), "a failed create leaves its state dir");
    }

    @Test
    void withoutDebugNothingMore() throws Exception {
        bundle.shell("true").save();
        Path log = tmp.resolve("quiet.json");
        Crema.Result r = crema.run("--log", log.toString(), "--log-format", "json", "run", "--bundle", bundle.dir.toString(),
                newId()).ok();
        assertEquals("", r.err());
        assertFalse(Files.exists(log) && Files.size(log) > 0, "a log without --debug or an error");
    }
}

package crema.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.cli.Args.Flag;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgsTest {
    private static final List<Flag> FLAGS = List.of(Flag.value("bundle", "b"), Flag.bool("detach", "d"),
            Flag.value("pid-file"));

    @Test
    void everySpellingOfAFlag() {
        for (List<String> argv : List.of(List.of("--bundle", "/b", "id"), List.of("--bundle=/b", "id"),
                List.of("-b", "/b", "id"), List.of("-bundle", "/b", "id"), List.of("id", "-b=/b"))) {
            Args a = Args.parse(argv, FLAGS);
            assertEquals("/b", a.get("bundle"), argv.toString());
            assertEquals(List.of("id"), a.positionals());
        }
    }

    @Test
    void booleansAndTheEndOfFlags() {
        Args a = Args.parse(List.of("-d", "--", "-weird-id"), FLAGS);
        assertTrue(a.has("detach"));
        assertEquals(List.of("-weird-id"), a.positionals());
        assertEquals(false, Args.parse(List.of("--detach=false"), FLAGS).has("detach"));
    }

    @Test
    void errors() {
        assertEquals("flag provided but not defined: -nope",
                assertThrows(UsageException.class, () -> Args.parse(List.of("--nope"), FLAGS)).getMessage());
        assertEquals("flag needs an argument: -pid-file",
                assertThrows(UsageException.class, () -> Args.parse(List.of("--pid-file"), FLAGS)).getMessage());
        assertEquals("\"start\" requires exactly 1 argument(s)",
                assertThrows(UsageException.class, () -> Args.parse(List.of(), FLAGS).id("start", 1, 1)).getMessage());
    }

    @Test
    void globalFlagsBeforeTheCommandAndAJsonLogOnFailure() throws Exception {
        var err = new ByteArrayOutputStream();
        var out = new ByteArrayOutputStream();
        java.nio.file.Path log = java.nio.file.Files.createTempFile("crema", ".json");
        int code = Main.run(new PrintStream(out), new PrintStream(err), "--root", "/nonexistent-root", "--log",
                log.toString(), "--log-format=json", "state", "ghost");
        assertEquals(1, code);
        assertEquals("crema: container does not exist\n", err.toString());
        String line = java.nio.file.Files.readString(log);
        assertTrue(line.matches("\\{\"level\":\"error\",\"msg\":\"container does not exist\",\"time\":\"[^\"]+\"}\\n"), line);
        java.nio.file.Files.delete(log);
    }

    @Test
    void versionPrintsTheSpec() {
        var out = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new PrintStream(out), System.err, "--version"));
        assertEquals("crema version " + Main.VERSION + "\nspec: 1.3.0\n", out.toString());
    }

    @Test
    void logTimeIsRfc3339InUtc() {
        for (long s : new long[] {0, 951_782_400L /* 2000-02-29 */, 1_795_494_041L, 4_102_444_799L, -1L}) {
            for (int nano : new int[] {0, 7, 123_456_789}) {
                String t = crema.state.UtcTime.format(s, nano);
                assertEquals(java.time.Instant.ofEpochSecond(s, nano), java.time.Instant.parse(t), t);
                assertEquals(30, t.length(), t);
            }
        }
    }

    @Test
    void leadingFlagsEndAtTheFirstPositional() {
        Args a = Args.parseLeading(List.of("-d", "--pid-file", "/p", "id", "sh", "-c", "-d", "--bundle=x"), FLAGS);
        assertTrue(a.has("detach"));
        assertEquals("/p", a.get("pid-file"));
        assertEquals(List.of("id", "sh", "-c", "-d", "--bundle=x"), a.positionals());
        assertEquals(List.of("id", "-d"), Args.parseLeading(List.of("--", "id", "-d"), FLAGS).positionals());
    }
}

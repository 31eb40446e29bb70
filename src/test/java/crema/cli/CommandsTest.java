package crema.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.cli.Args.Flag;
import crema.cli.Commands.Command;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** --help for every command, and the parser of each command accepts exactly the flags its help lists. */
class CommandsTest {
    private record Result(int code, String out, String err) {}

    private static Result crema(List<String> argv) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--root", "/nonexistent-crema-root"));
        all.addAll(argv);
        int code = Main.run(new PrintStream(out), new PrintStream(err), all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    /** A flag as a user types it, with a value when it takes one. */
    private static List<String> given(Flag f, String name) {
        return f.takesValue() ? List.of((name.length() == 1 ? "-" : "--") + name, "1") : List.of("--" + name);
    }

    @Test
    void everyCommandHasHelpOnStdoutListingEveryFlag() {
        for (Command c : Commands.ALL) {
            for (List<String> ask : List.of(List.of(c.name(), "--help"), List.of(c.name(), "-h"), List.of("help", c.name()))) {
                Result r = crema(ask);
                assertEquals(0, r.code(), ask + ": " + r.err());
                assertEquals("", r.err(), ask.toString());
                assertEquals(Help.command(c), r.out(), ask.toString());
            }
            String help = Help.command(c);
            assertTrue(help.contains("crema " + c.name() + " - " + c.summary()), help);
            for (Flag f : c.flags()) {
                assertTrue(f.meaning() != null && !f.meaning().isBlank(), c.name() + " --" + f.names().get(0));
                for (String n : f.names()) assertTrue(help.contains((n.length() == 1 ? "-" : "--") + n), c.name() + ": " + n);
            }
        }
    }

    @Test
    void theParserOfEachCommandAcceptsEveryDocumentedFlagAndNoOther() {
        Set<String> everyName = new LinkedHashSet<>();
        for (Command c : Commands.ALL) for (Flag f : c.flags()) everyName.addAll(f.names());
        for (Command c : Commands.ALL) {
            Set<String> documented = new LinkedHashSet<>();
            for (Flag f : c.flags()) {
                for (String n : f.names()) {
                    documented.add(n);
                    // --help after the flag: the command's own parser reads the flag, then stops with the help
                    List<String> argv = new ArrayList<>(List.of(c.name()));
                    argv.addAll(given(f, n));
                    argv.add("--help");
                    Result r = crema(argv);
                    assertEquals(0, r.code(), argv + ": " + r.err());
                }
            }
            for (String n : everyName) {
                if (documented.contains(n)) continue;
                Result r = crema(List.of(c.name(), "--" + n, "--help"));
                assertEquals(c.name().equals("exec") ? 255 : 1, r.code(), c.name() + " --" + n);
                String prefix = c.name().equals("exec") ? "exec failed: " : "";
                assertEquals("crema: " + prefix + "flag provided but not defined: -" + n + "\n", r.err(), c.name() + " --" + n);
            }
        }
    }

    @Test
    void globalHelpListsEveryCommandAndGlobalFlag() {
        for (List<String> ask : List.of(List.of("--help"), List.of("-h"), List.of("help"), List.of("--debug", "h"))) {
            Result r = crema(ask);
            assertEquals(0, r.code(), ask.toString());
            assertEquals(Help.crema(), r.out());
        }
        String help = Help.crema();
        for (Command c : Commands.ALL) assertTrue(help.contains("   " + c.name()), c.name());
        for (Flag f : Commands.GLOBAL) for (String n : f.names()) assertTrue(help.contains("-" + n), n);
        assertTrue(help.contains("--root value") && help.contains("default /run/crema, $XDG_RUNTIME_DIR/crema for a non-root user"), help);
    }

    @Test
    void errorsStayAsTheyWere() {
        Result r = crema(List.of("create", "--detach", "c1"));
        assertEquals(1, r.code());
        assertEquals("crema: flag provided but not defined: -detach\n", r.err());
        r = crema(List.of("help", "nope"));
        assertEquals(1, r.code());
        assertEquals("crema: no help topic for \"nope\"\n", r.err());
        // after the container id, exec's -h is the command's own
        r = crema(List.of("exec", "c/1", "sh", "-h"));
        assertEquals(255, r.code());
        assertEquals("crema: exec failed: invalid container id format: c/1\n", r.err());
    }
}

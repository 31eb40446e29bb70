package crema.cli;

import crema.cli.Args.Flag;
import crema.cli.Commands.Command;
import java.util.List;

/** The text of `crema --help` and `crema COMMAND --help`, laid out as runc's, from {@link Commands}. */
final class Help {
    private Help() {}

    static String crema() {
        StringBuilder s = new StringBuilder();
        s.append("NAME:\n   crema - an OCI container runtime\n\n");
        s.append("USAGE:\n   crema [global options] command [command options] [arguments...]\n\n");
        s.append("VERSION:\n   ").append(Main.VERSION).append("\nspec: ").append(Main.SPEC_VERSION).append("\n\n");
        s.append("COMMANDS:\n");
        int width = 0;
        for (Command c : Commands.ALL) width = Math.max(width, commandName(c).length());
        for (Command c : Commands.ALL) pad(s.append("   "), commandName(c), width + 2).append(c.summary()).append('\n');
        s.append("\nGLOBAL OPTIONS:\n");
        options(s, Commands.GLOBAL);
        return s.toString();
    }

    static String command(Command c) {
        StringBuilder s = new StringBuilder();
        s.append("NAME:\n   crema ").append(c.name()).append(" - ").append(c.summary()).append("\n\n");
        s.append("USAGE:\n   ").append(synopsis(c)).append('\n');
        if (c.description() != null) {
            s.append("\nDESCRIPTION:\n");
            for (String line : c.description().split("\n")) s.append("   ").append(line).append('\n');
        }
        s.append("\nOPTIONS:\n");
        options(s, c.flags());
        return s.toString();
    }

    static String synopsis(Command c) {
        boolean options = c.flags().size() > 1; // every command has --help
        return ("crema " + c.name() + (options ? " [command options]" : "") + " " + c.arguments()).stripTrailing();
    }

    /** `--bundle value, -b value`: every name, with `value` after the ones that take one. */
    static String spelling(Flag f) {
        StringBuilder s = new StringBuilder();
        for (String n : f.names()) {
            if (s.length() > 0) s.append(", ");
            s.append(n.length() == 1 ? "-" : "--").append(n);
            if (f.takesValue()) s.append(" value");
        }
        return s.toString();
    }

    /** The meaning, with the default when there is one: `(default: "table")`, numbers and durations unquoted. */
    static String meaning(Flag f) {
        if (f.defaultValue() == null) return f.meaning();
        String d = f.defaultValue();
        boolean bare = !d.isEmpty() && Character.isDigit(d.charAt(0));
        return f.meaning() + " (default: " + (bare ? d : "\"" + d + "\"") + ")";
    }

    private static void options(StringBuilder s, List<Flag> flags) {
        int width = 0;
        for (Flag f : flags) width = Math.max(width, spelling(f).length());
        for (Flag f : flags) pad(s.append("   "), spelling(f), width + 2).append(meaning(f)).append('\n');
    }

    private static String commandName(Command c) {
        return c == Commands.HELP_COMMAND ? "help, h" : c.name();
    }

    private static StringBuilder pad(StringBuilder s, String text, int width) {
        return s.append(text).append(" ".repeat(width - text.length()));
    }
}

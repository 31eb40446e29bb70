package crema.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * runc-style flags: `--flag v`, `--flag=v`, `-flag v`, short aliases, booleans
 * without a value; flags and positionals may interleave; `--` ends flags.
 * Hand-rolled on purpose: a parser library costs more start-up than it saves.
 */
final class Args {
    /**
     * A flag: its names (without dashes; the first is its key), whether it
     * takes a value, a one-line meaning for --help and the man pages, the
     * default its command uses when it is not given (null: none), and what
     * bash completes as its value ("file", "dir", or words separated by
     * spaces; null: nothing).
     */
    record Flag(List<String> names, boolean takesValue, String meaning, String defaultValue, String completion) {
        static Flag bool(String... names) {
            return new Flag(List.of(names), false, null, null, null);
        }

        static Flag value(String... names) {
            return new Flag(List.of(names), true, null, null, null);
        }

        Flag means(String text) {
            return new Flag(names, takesValue, text, defaultValue, completion);
        }

        Flag byDefault(String value) {
            return new Flag(names, takesValue, meaning, value, completion);
        }

        Flag completes(String what) {
            return new Flag(names, takesValue, meaning, defaultValue, what);
        }
    }

    /** `--help` or `-h` among a command's flags: Main prints that command's help, exit 0. */
    static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super("help", null, false, false);
        }
    }

    private final Map<String, String> values = new HashMap<>();
    private final Map<String, List<String>> repeated = new HashMap<>();
    private final List<String> positionals = new ArrayList<>();

    /** Parses a command's args with its flags, as {@link Commands} declares them. */
    static Args parse(List<String> args, Commands.Command command) {
        return command.flagsEndAtId() ? parseLeading(args, command.flags()) : parse(args, command.flags());
    }

    /** Parses args with the given flags; the first name of a flag is its key. */
    static Args parse(List<String> args, List<Flag> flags) {
        Args a = new Args();
        Map<String, Flag> byName = new HashMap<>();
        for (Flag f : flags) {
            for (String n : f.names()) byName.put(n, f);
            if (f.defaultValue() != null) a.values.put(f.names().get(0), f.defaultValue());
        }
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                a.positionals.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                a.positionals.add(arg);
                continue;
            }
            String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            String inline = null;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                inline = body.substring(eq + 1);
                body = body.substring(0, eq);
            }
            Flag f = byName.get(body);
            if (f == null) throw new UsageException("flag provided but not defined: -" + body);
            String key = f.names().get(0);
            if (key.equals("help")) throw new HelpRequested();
            String value;
            if (f.takesValue()) {
                if (inline != null) {
                    value = inline;
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException("flag needs an argument: -" + body);
                }
            } else {
                value = inline == null ? "true" : inline;
                if (!Set.of("true", "false").contains(value)) throw new UsageException("invalid boolean value \"" + value + "\" for -" + body);
            }
            a.values.put(key, value);
            List<String> all = a.repeated.get(key);
            if (all == null) a.repeated.put(key, all = new ArrayList<>());
            all.add(value);
        }
        return a;
    }

    /**
     * Flags only up to the first positional: it and everything after it are
     * positionals (`ps <id> -ef` passes -ef to ps(1), as runc does).
     */
    static Args parseLeading(List<String> args, List<Flag> flags) {
        int i = 0;
        while (i < args.size() && args.get(i).startsWith("-") && !args.get(i).equals("-") && !args.get(i).equals("--")) {
            i += takesSeparateValue(args.get(i), flags) ? 2 : 1;
        }
        int rest = Math.min(i, args.size());
        Args a = parse(args.subList(0, rest), flags);
        int from = rest < args.size() && args.get(rest).equals("--") ? rest + 1 : rest;
        a.positionals.addAll(args.subList(from, args.size()));
        return a;
    }

    /**
     * Whether a flag argument is followed by its value as the next argument.
     * No regex or stream here: they would load ~50 classes into every command.
     */
    static boolean takesSeparateValue(String arg, List<Flag> flags) {
        int from = arg.startsWith("--") ? 2 : arg.startsWith("-") ? 1 : 0;
        String name = arg.substring(from);
        if (name.indexOf('=') >= 0) return false;
        for (Flag f : flags) if (f.takesValue() && f.names().contains(name)) return true;
        return false;
    }

    String get(String key) {
        return values.get(key);
    }

    String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    List<String> all(String key) {
        return repeated.getOrDefault(key, List.of());
    }

    boolean has(String key) {
        return "true".equals(values.get(key));
    }

    int intValue(String key, int fallback) {
        Long v = longValue(key);
        if (v == null) return fallback;
        if (v != v.intValue()) throw new UsageException("invalid value \"" + v + "\" for flag -" + key + ": out of range");
        return v.intValue();
    }

    /** A number flag's value, null when the flag was not given. */
    Long longValue(String key) {
        String v = values.get(key);
        if (v == null) return null;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException("invalid value \"" + v + "\" for flag -" + key + ": must be a number");
        }
    }

    List<String> positionals() {
        return positionals;
    }

    /** The container id: exactly `count` positionals are expected, the first is the id. */
    String id(String command, int min, int max) {
        if (positionals.size() < min || positionals.size() > max) {
            String want = min == max ? "exactly " + min : min + " to " + max;
            throw new UsageException("\"" + command + "\" requires " + want + " argument(s)");
        }
        return positionals.isEmpty() ? null : positionals.get(0);
    }
}

package crema.cli;

import crema.cli.Args.Flag;
import crema.plan.InvalidSpecException;
import crema.process.ConsoleSocket;
import crema.process.HelperException;
import crema.spec.SpecException;
import crema.state.ContainerException;
import crema.sys.SysException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/** crema's entry: global flags, then one command. Only {@link #main} exits. */
public final class Main {
    public static final String VERSION = "0.1.0";
    public static final String SPEC_VERSION = "1.3.0";

    private static final List<Flag> GLOBAL = Commands.GLOBAL;

    private Main() {}

    public static void main(String[] args) {
        InheritedFds.record(); // first: before crema opens an fd of its own
        int code = run(System.out, System.err, args);
        ConsoleSocket.closeAll();
        System.out.flush();
        System.err.flush();
        // halt, not exit: crema has no exit hooks to run.
        Runtime.getRuntime().halt(code);
    }

    public static int run(PrintStream out, PrintStream err, String... argv) {
        List<String> all = Arrays.asList(argv);
        int commandAt = commandIndex(all);
        Args global;
        Log log = new Log(null, "text", false, err);
        try {
            global = Args.parse(all.subList(0, commandAt), GLOBAL);
        } catch (Args.HelpRequested e) {
            out.print(Help.crema());
            return 0;
        } catch (UsageException e) {
            log.error(e.getMessage());
            return 1;
        }
        log = new Log(global.get("log"), global.get("log-format"), global.has("debug"), err);
        crema.lifecycle.Debug.to(global.has("debug") ? log::debug : null);
        if (global.has("version")) {
            out.println("crema version " + VERSION);
            out.println("spec: " + SPEC_VERSION);
            return 0;
        }
        if (commandAt >= all.size()) {
            out.print(Help.crema());
            return 1;
        }
        String command = all.get(commandAt);
        List<String> rest = all.subList(commandAt + 1, all.size());
        Globals g = new Globals(global.get("root"), global.has("systemd-cgroup"), global.get("criu"), out, err, log);
        try {
            return dispatch(command, rest, g);
        } catch (Args.HelpRequested e) {
            out.print(Help.command(Commands.named(command)));
            return 0;
        } catch (UsageException | ContainerException | InvalidSpecException | SpecException | SysException
                 | HelperException | UncheckedIOException e) {
            log.error(message(command, e));
            return failure(command);
        } catch (RuntimeException e) {
            log.error(command + ": internal error: " + e);
            return failure(command);
        }
    }

    /** exec's own exit code is its process's: a failure of crema there is 255, as runc has it. */
    private static int failure(String command) {
        return command.equals("exec") ? 255 : 1;
    }

    private static String message(String command, RuntimeException e) {
        String m = e.getMessage();
        if (e instanceof UncheckedIOException u && u.getCause() != null) m = m + ": " + u.getCause().getMessage();
        // runc's wording, which engines match ("exec failed: ... executable file not found in $PATH")
        if (command.equals("exec")) {
            return "exec failed: " + (e instanceof HelperException ? "unable to start container process: " : "") + m;
        }
        if (e instanceof HelperException) return command + ": unable to start container process: " + m;
        return m;
    }

    /** The first argument that is neither a global flag nor a global flag's value. */
    private static int commandIndex(List<String> all) {
        for (int i = 0; i < all.size(); i++) {
            String a = all.get(i);
            if (!a.startsWith("-")) return i;
            if (Args.takesSeparateValue(a, GLOBAL)) i++;
        }
        return all.size();
    }

    private static int dispatch(String command, List<String> args, Globals g) {
        return switch (command) {
            case "create" -> new CreateCommand().run(args, g, false);
            case "run" -> new CreateCommand().run(args, g, true);
            case "start" -> new LifecycleCommands().start(args, g);
            case "kill" -> new LifecycleCommands().kill(args, g);
            case "delete" -> new LifecycleCommands().delete(args, g);
            case "state" -> new InfoCommands().state(args, g);
            case "list" -> new InfoCommands().list(args, g);
            case "features" -> new InfoCommands().features(args, g);
            case "spec" -> new SpecCommand().run(args, g);
            case "pause" -> new PauseCommands().pause(args, g);
            case "resume" -> new PauseCommands().resume(args, g);
            case "ps" -> new PsCommand().run(args, g);
            case "events" -> new EventsCommand().run(args, g);
            case "update" -> new UpdateCommand().run(args, g);
            case "exec" -> new ExecCommand().run(args, g);
            case "help", "h" -> help(args, g);
            case "checkpoint" -> new CheckpointCommands().checkpoint(args, g);
            case "restore" -> new CheckpointCommands().restore(args, g);
            default -> throw new UsageException("unknown command \"" + command + "\"; see crema --help");
        };
    }

    /** `crema help [COMMAND]`: the same text as `crema [COMMAND] --help`. */
    private static int help(List<String> args, Globals g) {
        Args a = Args.parse(args, Commands.HELP_COMMAND);
        a.id("help", 0, 1);
        if (a.positionals().isEmpty()) {
            g.out().print(Help.crema());
            return 0;
        }
        Commands.Command c = Commands.named(a.positionals().get(0));
        if (c == null) throw new UsageException("no help topic for \"" + a.positionals().get(0) + "\"");
        g.out().print(Help.command(c));
        return 0;
    }
}

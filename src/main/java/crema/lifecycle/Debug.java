package crema.lifecycle;

import java.util.function.Consumer;

/**
 * --debug: one line for each step of create, start, exec and delete, to
 * crema's log. Off (no sink), a step costs a null check and the message's
 * concatenation, nothing else. The step last begun is what a failure reports.
 */
public final class Debug {
    private static Consumer<String> sink;
    private static String step;

    private Debug() {}

    /** Called once by the command line with --debug. */
    public static void to(Consumer<String> lines) {
        sink = lines;
        step = null;
    }

    /** Whether --debug is on: to skip building a message that costs more than a concatenation. */
    static boolean on() {
        return sink != null;
    }

    /** A step begins: logged, and remembered for {@link #failed}. */
    static void step(String message) {
        if (sink == null) return;
        step = message;
        sink.accept(message);
    }

    /** The length of a list the spec may leave null. */
    static int count(java.util.List<?> list) {
        return list == null ? 0 : list.size();
    }

    /** The command failed: names the step it was in. */
    static void failed(String command) {
        if (sink != null) sink.accept(command + " failed " + (step == null ? "before its first step" : "during: " + step));
    }
}

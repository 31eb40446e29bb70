package crema.hooks;

import crema.spec.Hook;
import crema.sys.Sys;
import java.util.List;

/**
 * Runs the hooks Java owns (prestart, createRuntime, poststart, poststop), in
 * the runtime's namespaces: path and args exactly as given (args[0] is argv[0]),
 * env exactly as given (none given: crema's own, as runc and crun pass theirs), the
 * state JSON on stdin, the optional timeout enforced.
 */
public final class HookRunner {
    private HookRunner() {}

    /** Runs hooks in order; the first failure throws, naming the kind and the path. */
    public static void run(List<Hook> hooks, String kind, byte[] state) {
        if (hooks == null) return;
        for (Hook h : hooks) run(h, kind, state);
    }

    /** Like {@link #run(List, String, byte[])}, but a failure is a warning and the rest still run. */
    public static void runWarning(List<Hook> hooks, String kind, byte[] state, java.util.function.Consumer<String> warn) {
        if (hooks == null) return;
        for (Hook h : hooks) {
            try {
                run(h, kind, state);
            } catch (HookException e) {
                warn.accept(e.getMessage());
            }
        }
    }

    private static void run(Hook h, String kind, byte[] state) {
        List<String> argv = h.args() == null || h.args().isEmpty() ? List.of(h.path()) : h.args();
        List<String> env = h.env() == null ? Sys.environment() : h.env();
        int[] pipe = Sys.pipe();
        int pid;
        try {
            pid = Sys.spawn(h.path(), argv, env, pipe[0], 0);
        } catch (RuntimeException e) {
            Sys.closeQuietly(pipe[0]);
            Sys.closeQuietly(pipe[1]);
            throw new HookException(kind + " hook \"" + h.path() + "\": " + e.getMessage());
        }
        Sys.closeQuietly(pipe[0]);
        try {
            Sys.writeAll(pipe[1], state, kind + " hook stdin");
        } finally {
            Sys.closeQuietly(pipe[1]);
        }
        int status = waitFor(pid, h.timeout(), kind, h.path());
        int signal = status & 0x7f;
        if (signal != 0) throw new HookException(kind + " hook \"" + h.path() + "\" failed: killed by signal " + signal);
        int code = (status >> 8) & 0xff;
        if (code != 0) throw new HookException(kind + " hook \"" + h.path() + "\" failed: exit status " + code);
    }

    private static int waitFor(int pid, Integer timeoutSeconds, String kind, String path) {
        if (timeoutSeconds == null) return Sys.waitpid(pid, 0)[1];
        Integer status;
        try {
            status = Sys.waitpidWithin(pid, timeoutSeconds * 1_000_000_000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HookException(kind + " hook \"" + path + "\": interrupted");
        }
        if (status == null) throw new HookException(kind + " hook \"" + path + "\" timed out after " + timeoutSeconds + "s");
        return status;
    }
}

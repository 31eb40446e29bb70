package crema.cli;

import crema.sys.Sys;
import java.util.List;

/** A process crema waits for (a foreground run or exec): signals passed on to it, its exit status as ours. */
final class Foreground {
    /** Signals a foreground run or exec passes on to the process, as runc does. */
    private static final List<String> FORWARDED = List.of("HUP", "INT", "QUIT", "TERM", "USR1", "USR2", "WINCH");

    private Foreground() {}

    @SuppressWarnings("restriction")
    static void forwardSignals(int pid) {
        for (String name : FORWARDED) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> Sys.kill(pid, s.getNumber()));
            } catch (IllegalArgumentException e) {
                // the JVM reserves this one (QUIT without -Xrs): not forwarded
            }
        }
    }

    /** Waits for pid (our child: we are its subreaper) and returns its exit code. */
    static int waitFor(int pid) {
        return exitCode(Sys.waitpid(pid, 0)[1]);
    }

    /** The shell's convention: the exit status, or 128 + the signal that killed it. */
    static int exitCode(int waitStatus) {
        int signal = waitStatus & 0x7f;
        return signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal;
    }
}

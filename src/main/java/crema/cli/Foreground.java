package crema.cli;

import crema.sys.Sys;
import crema.sys.Tty;
import java.util.Arrays;
import java.util.List;

/**
 * A process crema waits for (a foreground run or exec): signals passed on to
 * it, its exit status as ours, and, when crema holds its pty master, the
 * terminal proxied between our stdin/stdout and the pty, with our terminal in
 * raw mode and its window size copied to the pty (as CRI-O expects of runc).
 */
final class Foreground implements AutoCloseable {
    /** Signals passed on to the process, as runc does; WINCH resizes the pty instead when there is one. */
    private static final List<String> FORWARDED = List.of("HUP", "INT", "QUIT", "TERM", "USR1", "USR2", "WINCH");
    /** How long the output of a process that has exited may keep coming (its children may hold the pty). */
    private static final int POLL_MS = 100;

    private final int pid;
    private final int master;
    private final byte[] saved;

    private Foreground(int pid, int master, byte[] saved) {
        this.pid = pid;
        this.master = master;
        this.saved = saved;
    }

    /** Takes charge of pid (our child: we are its subreaper) and of its pty master (-1: none); signals go to it from now. */
    static Foreground attach(int pid, int master) {
        if (master < 0) {
            forwardSignals(pid, null);
            return new Foreground(pid, master, null);
        }
        Foreground f = new Foreground(pid, master, Tty.makeRaw(0)); // no raw mode when stdin is not a terminal
        f.copyWindowSize();
        forwardSignals(pid, f::copyWindowSize);
        return f;
    }

    /** Proxies the terminal, if any, until the process exits; returns its exit code. */
    int waitForExit() {
        if (master < 0) return waitFor(pid);
        Thread input = new Thread(this::copyInput, "crema-tty-input");
        input.setDaemon(true);
        input.start();
        return copyOutput();
    }

    /** Gives our terminal back as it was. */
    @Override
    public void close() {
        if (saved != null) Tty.restore(0, saved);
        if (master >= 0) Sys.closeQuietly(master);
    }

    @SuppressWarnings("restriction")
    private static void forwardSignals(int pid, Runnable onWinch) {
        for (String name : FORWARDED) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
                    if (onWinch != null && s.getName().equals("WINCH")) onWinch.run();
                    else Sys.kill(pid, s.getNumber());
                });
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

    private void copyWindowSize() {
        int[] size = Tty.windowSize(0);
        if (size != null && size[0] > 0 && size[1] > 0) Tty.setWindowSize(master, size[0], size[1]);
    }

    /** stdin → pty, until stdin ends (then the process just gets no more input). */
    private void copyInput() {
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = Tty.read(0, buf, -1, "stdin")) > 0; ) {
                if (!Sys.writeAll(master, Arrays.copyOf(buf, n), "the pty")) return;
            }
        } catch (RuntimeException e) {
            // stdin or the pty went away: nothing more to copy
        }
    }

    /** pty → stdout until the pty closes, or the process has exited and nothing more comes; returns its exit code. */
    private int copyOutput() {
        byte[] buf = new byte[8192];
        boolean exited = false;
        int status = 0;
        while (true) {
            int n = Tty.read(master, buf, POLL_MS, "the pty");
            if (n > 0) {
                if (!Sys.writeAll(1, Arrays.copyOf(buf, n), "stdout")) break;
                continue;
            }
            if (n == 0 || exited) break; // the pty is closed, or quiet after the process exited
            int[] w = Sys.waitpid(pid, Sys.WNOHANG);
            if (w[0] == pid) {
                exited = true;
                status = w[1];
            }
        }
        return exited ? exitCode(status) : waitFor(pid);
    }
}

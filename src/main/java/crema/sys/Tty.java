package crema.sys;

/** Terminals (native-helpers/cremasys.c): the one crema proxies a pty to (raw mode, window size), and new ptys. */
public final class Tty {
    private Tty() {}

    private static native int nMakeRaw(int fd, byte[] saved);
    private static native int nRestore(int fd, byte[] saved);
    private static native int nTermiosSize();
    private static native int nWindowSize(int fd);
    private static native int nSetWindowSize(int fd, int rows, int cols);
    private static native int nRead(int fd, byte[] buf, int timeoutMs);
    private static native int nOpenPty(int[] out);

    /** A pty of crema's devpts: its master and slave fds (close-on-exec) and its index, the N of /dev/pts/N. */
    public record Pty(int master, int slave, int index) {}

    public static Pty openPty() {
        Sys.ensureLoaded();
        int[] out = new int[3];
        check(nOpenPty(out), "open a pty through", "/dev/ptmx");
        return new Pty(out[0], out[1], out[2]);
    }

    private static int check(int r, String op, String what) {
        if (r < 0) throw new SysException(-r, op, what);
        return r;
    }

    /** Raw mode on a terminal; returns what restores it, or null when fd is not a terminal. */
    public static byte[] makeRaw(int fd) {
        Sys.ensureLoaded();
        byte[] saved = new byte[nTermiosSize()];
        return nMakeRaw(fd, saved) < 0 ? null : saved;
    }

    public static void restore(int fd, byte[] saved) {
        Sys.ensureLoaded();
        nRestore(fd, saved);
    }

    /** {rows, cols} of a terminal, or null when fd is not one. */
    public static int[] windowSize(int fd) {
        Sys.ensureLoaded();
        int r = nWindowSize(fd);
        return r < 0 ? null : new int[] {r >>> 16, r & 0xffff};
    }

    public static void setWindowSize(int fd, int rows, int cols) {
        Sys.ensureLoaded();
        check(nSetWindowSize(fd, rows, cols), "set the window size of", "the pty");
    }

    /** Up to buf.length bytes; 0 at end of input (EIO: the terminal's other side is gone); -1 after timeoutMs. */
    public static int read(int fd, byte[] buf, int timeoutMs, String what) {
        Sys.ensureLoaded();
        int n = nRead(fd, buf, timeoutMs);
        if (n == -Errno.ETIMEDOUT) return -1;
        if (n == -Errno.EIO) return 0;
        return check(n, "read", what);
    }
}

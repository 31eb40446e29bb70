package crema.sys;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The only door to native code. Each method is one system call; a failure
 * becomes a {@link SysException} carrying errno, the operation and the path.
 * The library is loaded on first use, so commands that need no native call
 * never load it.
 */
public final class Sys {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = 0200000;
    public static final int LOCK_SH = 1;
    public static final int LOCK_EX = 2;
    public static final int LOCK_NB = 4;
    public static final int LOCK_UN = 8;
    public static final int WNOHANG = 1;

    private static volatile boolean loaded;

    private Sys() {}

    /** Loads libcremasys for the other classes of this package. */
    static void ensureLoaded() {
        load();
    }

    /**
     * Where crema-init and libcremasys lie: {@code -Dcrema.libdir} when given
     * (tests on the JVM); in the native executable, {@code <prefix>/lib/crema}
     * beside its {@code <prefix>/bin}; else null.
     */
    public static Path libdir() {
        String dir = System.getProperty("crema.libdir");
        if (dir != null) return Path.of(dir);
        if (!"runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))) return null;
        try {
            Path bin = Path.of("/proc/self/exe").toRealPath().getParent();
            return bin.resolveSibling("lib").resolve("crema");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot find crema's own executable", e);
        }
    }

    private static void load() {
        if (loaded) return;
        synchronized (Sys.class) {
            if (loaded) return;
            Path dir = libdir();
            Path lib = dir != null ? dir.resolve("libcremasys.so") : null;
            if (lib != null && Files.exists(lib)) {
                System.load(lib.toAbsolutePath().toString());
            } else {
                System.loadLibrary("cremasys");
            }
            // writeAll's EPIPE: a reader gone away is an error to handle, not a signal that kills crema.
            check(Native.catchPipeSignal(), "sigaction SIGPIPE", null);
            loaded = true;
        }
    }

    private static int check(int r, String op, String path) {
        if (r < 0) throw new SysException(-r, op, path);
        return r;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A SOCK_SEQPACKET|SOCK_CLOEXEC unix socket pair. */
    public static int[] socketpairSeqpacket() {
        load();
        int[] fds = new int[2];
        check(Native.socketpairSeqpacket(fds), "socketpair", null);
        return fds;
    }

    /**
     * posix_spawn with fdMap's (from, to) pairs moved into place; every fd above
     * max(2, the highest to) is closed, those below it are inherited.
     */
    public static int spawn(String path, List<String> argv, List<String> env, int... fdMap) {
        load();
        byte[][] a = argv.stream().map(Sys::bytes).toArray(byte[][]::new);
        byte[][] e = env.stream().map(Sys::bytes).toArray(byte[][]::new);
        return check(Native.spawn(bytes(path), a, e, fdMap), "spawn", path);
    }

    /** A pipe2(O_CLOEXEC): {read end, write end}. */
    public static int[] pipe() {
        load();
        int[] fds = new int[2];
        check(Native.pipe(fds), "pipe", null);
        return fds;
    }

    /** Writes all of buf; EPIPE (a reader that went away) ends it quietly and returns false. */
    public static boolean writeAll(int fd, byte[] buf, String what) {
        load();
        for (int off = 0; off < buf.length; ) {
            int n = Native.write(fd, buf, off, buf.length - off);
            if (n == -Errno.EPIPE) return false;
            off += check(n, "write", what);
        }
        return true;
    }

    public static void close(int fd) {
        load();
        check(Native.close(fd), "close fd", Integer.toString(fd));
    }

    public static void closeQuietly(int fd) {
        if (fd < 0) return;
        load();
        Native.close(fd);
    }

    public static void send(int fd, byte[] msg) {
        load();
        int n = check(Native.send(fd, msg, msg.length), "send on sync socket", null);
        if (n != msg.length) throw new SysException(Errno.EMSGSIZE, "send on sync socket", null);
    }

    /** One datagram into buf; returns its length (0 at EOF). Throws ETIMEDOUT after timeoutMs. */
    public static int recv(int fd, byte[] buf, int timeoutMs) {
        load();
        return check(Native.recv(fd, buf, timeoutMs), "receive on sync socket", null);
    }

    public static int read(int fd, byte[] buf, String path) {
        load();
        return check(Native.read(fd, buf), "read", path);
    }

    /** kill(2); returns false for ESRCH (no such process). */
    public static boolean kill(int pid, int signal) {
        load();
        int r = Native.kill(pid, signal);
        if (r == -Errno.ESRCH) return false;
        check(r, "kill", "pid " + pid);
        return true;
    }

    /** waitpid(2); returns {pid, status} or {0, 0} for WNOHANG with nothing to reap. */
    public static int[] waitpid(int pid, int flags) {
        load();
        long r = Native.waitpid(pid, flags);
        if (r < 0) throw new SysException((int) -r, "waitpid", "pid " + pid);
        return new int[] {(int) (r >>> 32), (int) r};
    }

    /**
     * waitpid for the child pid, at most timeoutNanos: its wait status, or null once past it, when pid
     * has been killed (SIGKILL) and reaped. An interrupt leaves pid as it is, to the caller.
     */
    public static Integer waitpidWithin(int pid, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            int[] r = waitpid(pid, WNOHANG);
            if (r[0] == pid) return r[1];
            if (System.nanoTime() > deadline) {
                kill(pid, 9);
                waitpid(pid, 0);
                return null;
            }
            Thread.sleep(5);
        }
    }

    /** crema's own environment as NAME=value entries, for a child spawned with it. */
    public static List<String> environment() {
        List<String> env = new java.util.ArrayList<>();
        for (var e : System.getenv().entrySet()) env.add(e.getKey() + "=" + e.getValue());
        return env;
    }

    public static void setChildSubreaper() {
        load();
        check(Native.setChildSubreaper(), "prctl PR_SET_CHILD_SUBREAPER", null);
    }

    public static void mkfifo(Path path, int mode) {
        load();
        check(Native.mkfifo(bytes(path.toString()), mode), "mkfifo", path.toString());
    }

    /** open(2) with O_CLOEXEC. */
    public static int open(Path path, int flags) {
        load();
        return check(Native.open(bytes(path.toString()), flags, 0), "open", path.toString());
    }

    public static void flock(int fd, int op, String path) {
        load();
        check(Native.flock(fd, op), "flock", path);
    }

    public static int pidfdOpen(int pid) {
        load();
        return check(Native.pidfdOpen(pid), "pidfd_open", "pid " + pid);
    }

    /** pidfd_send_signal; returns false for ESRCH (the process has exited). */
    public static boolean pidfdSendSignal(int pidfd, int signal) {
        load();
        int r = Native.pidfdSendSignal(pidfd, signal);
        if (r == -Errno.ESRCH) return false;
        check(r, "pidfd_send_signal", null);
        return true;
    }

    /**
     * bpf(BPF_PROG_LOAD) of a program of the given type; returns its fd. On
     * failure the load is repeated with a log buffer, so the exception carries
     * the verifier's reason.
     */
    public static int bpfProgLoad(int type, byte[] insns, String license, String what) {
        load();
        int fd = Native.bpfProgLoad(type, insns, bytes(license), null);
        if (fd >= 0) return fd;
        byte[] log = new byte[1 << 16];
        int again = Native.bpfProgLoad(type, insns, bytes(license), log);
        if (again >= 0) return again;
        int len = 0;
        while (len < log.length && log[len] != 0) len++;
        String reason = new String(log, 0, len, StandardCharsets.UTF_8).strip();
        throw new SysException(-fd, "bpf load " + what, reason.isEmpty() ? null : "(verifier: " + reason + ")");
    }

    /** bpf(BPF_PROG_ATTACH) of a program to a target (a cgroup directory fd). */
    public static void bpfProgAttach(int targetFd, int progFd, int attachType, int flags, String path) {
        load();
        check(Native.bpfProgAttach(targetFd, progFd, attachType, flags), "bpf attach to", path);
    }
}

package crema.sys;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Unix sockets beyond the sync socket (native-helpers/cremasys.c): the console
 * socket crema listens on for a pty master, a caller's console socket restore
 * sends a new master to, and the datagram sockets of the NOTIFY_SOCKET proxy.
 */
public final class UnixSockets {
    private static final int SOCK_STREAM = 1, SOCK_DGRAM = 2;

    private UnixSockets() {}

    private static native int nSocket(byte[] path, int type, boolean connect);
    private static native int nAccept(int fd, int timeoutMs);
    private static native int nRecvFd(int sock);
    private static native int nSendFd(int sock, int fd, byte[] text);

    private static int check(int r, String op, String what) {
        if (r < 0) throw new SysException(-r, op, what);
        return r;
    }

    private static int socket(Path path, int type, boolean connect, String op) {
        Sys.ensureLoaded();
        return check(nSocket(path.toString().getBytes(StandardCharsets.UTF_8), type, connect), op, path.toString());
    }

    /** A listening stream socket bound at path. */
    public static int listen(Path path) {
        return socket(path, SOCK_STREAM, false, "listen on");
    }

    /** A datagram socket bound at path, to receive on. */
    public static int bindDatagram(Path path) {
        return socket(path, SOCK_DGRAM, false, "bind");
    }

    /** A datagram socket connected to path, to send to. */
    public static int connectDatagram(Path path) {
        return socket(path, SOCK_DGRAM, true, "connect to");
    }

    /** One accepted connection; ETIMEDOUT after timeoutMs. */
    public static int accept(int fd, int timeoutMs, String what) {
        Sys.ensureLoaded();
        return check(nAccept(fd, timeoutMs), "accept on", what);
    }

    /** The fd passed in one SCM_RIGHTS message. */
    public static int receiveFd(int sock, String what) {
        Sys.ensureLoaded();
        return check(nRecvFd(sock), "receive an fd on", what);
    }

    /** Connects to the stream socket at path, sends fd there in one SCM_RIGHTS message with text, and disconnects. */
    public static void sendFd(Path path, int fd, String text, String what) {
        int sock = socket(path, SOCK_STREAM, true, "connect to");
        try {
            check(nSendFd(sock, fd, text.getBytes(StandardCharsets.UTF_8)), "send " + what + " to", path.toString());
        } finally {
            Sys.closeQuietly(sock);
        }
    }
}

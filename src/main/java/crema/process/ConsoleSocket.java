package crema.process;

import crema.state.ContainerException;
import crema.sys.Sys;
import crema.sys.UnixSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * crema's own console socket, for a foreground run or exec with a terminal and
 * no --console-socket: a socket in a private directory that crema-init
 * connects to and sends the pty master over, as it would to a caller's.
 */
public final class ConsoleSocket implements AutoCloseable {
    private static final int TIMEOUT_MS = 10_000;
    private static final Set<ConsoleSocket> OPEN = ConcurrentHashMap.newKeySet();
    private final Path dir;
    private final Path path;
    private final int fd;

    private ConsoleSocket(Path dir, Path path, int fd) {
        this.dir = dir;
        this.path = path;
        this.fd = fd;
    }

    /**
     * runc's rules for a terminal: a detached process needs the caller's
     * socket, a foreground one or one without a terminal takes none. True
     * when crema must listen itself (a foreground process with a terminal).
     */
    public static boolean needed(boolean terminal, String socket, boolean detach) {
        if (detach && terminal && socket == null) {
            throw new ContainerException("cannot allocate tty if crema will detach without setting console socket");
        }
        if ((!detach || !terminal) && socket != null) {
            throw new ContainerException("cannot use console socket if crema will not detach or allocate tty");
        }
        return terminal && socket == null;
    }

    public static ConsoleSocket listen() {
        Path dir;
        try {
            dir = Files.createTempDirectory("crema-console"); // mode 0700
        } catch (IOException e) {
            throw new UncheckedIOException("create a directory for the console socket", e);
        }
        Path path = dir.resolve("sock");
        try {
            ConsoleSocket socket = new ConsoleSocket(dir, path, UnixSockets.listen(path));
            OPEN.add(socket);
            return socket;
        } catch (RuntimeException e) {
            delete(dir, path);
            throw e;
        }
    }

    /**
     * Removes the sockets a failed command left open. crema exits with
     * Runtime.halt (System.exit costs milliseconds), so no exit hook would run.
     */
    public static void closeAll() {
        for (ConsoleSocket s : List.copyOf(OPEN)) s.close();
    }

    public String path() {
        return path.toString();
    }

    /** The pty master crema-init sent (it sends it before READY, so it is waiting once READY came). */
    public int receive() {
        int conn = UnixSockets.accept(fd, TIMEOUT_MS, path());
        try {
            return UnixSockets.receiveFd(conn, path());
        } finally {
            Sys.closeQuietly(conn);
        }
    }

    @Override
    public void close() {
        if (!OPEN.remove(this)) return; // closed already: the fd number may be another's now
        Sys.closeQuietly(fd);
        delete(dir, path);
    }

    private static void delete(Path dir, Path path) {
        try {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}

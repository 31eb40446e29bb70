package crema.lifecycle;

import crema.process.ProcStat;
import crema.state.ContainerRecord;
import crema.state.StateStore;
import crema.sys.Errno;
import crema.sys.Sys;
import crema.sys.SysException;
import crema.sys.UnixSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The host side of NOTIFY_SOCKET, as runc does it: `start` (and `run`)
 * binds the container's notify socket in its state dir, and once the
 * container says READY= it tells the caller's NOTIFY_SOCKET, with MAINPID
 * the container's init. Only for containers created with NOTIFY_SOCKET set.
 */
public final class NotifyProxy implements AutoCloseable {
    private static final int POLL_MS = 100;
    private final Path socket;
    private final Path host;
    private final int fd;

    private NotifyProxy(Path socket, Path host, int fd) {
        this.socket = socket;
        this.host = host;
        this.fd = fd;
    }

    /** The proxy of container id for the caller's socket host (null: none); null when create set up none. */
    public static NotifyProxy bind(StateStore store, String id, String host) {
        Path dir = store.dir(id).resolve(Activation.NOTIFY_DIR);
        if (host == null || host.isEmpty() || !Files.isDirectory(dir)) return null;
        Path socket = dir.resolve(Activation.NOTIFY_SOCKET);
        try {
            Files.deleteIfExists(socket);
            int fd = UnixSockets.bindDatagram(socket);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
            return new NotifyProxy(socket, Path.of(host), fd);
        } catch (IOException e) {
            throw new UncheckedIOException("set up the notify socket " + socket, e);
        }
    }

    /** Waits for the container's READY= and passes it on with MAINPID; returns then, or once the init is gone. */
    public void forwardReady(ContainerRecord r) {
        byte[] buf = new byte[4096];
        while (ProcStat.isOurs(r.pid(), r.initStartTime())) {
            int n;
            try {
                n = Sys.recv(fd, buf, POLL_MS);
            } catch (SysException e) {
                if (e.errno() == Errno.ETIMEDOUT) continue;
                return; // closed under us: a foreground run has ended
            }
            for (String line : new String(buf, 0, Math.min(n, buf.length), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("READY=")) continue;
                int out = UnixSockets.connectDatagram(host);
                try {
                    Sys.send(out, (line + "\nMAINPID=" + r.pid() + "\n").getBytes(StandardCharsets.UTF_8));
                } finally {
                    Sys.closeQuietly(out);
                }
                return;
            }
        }
    }

    @Override
    public void close() {
        Sys.closeQuietly(fd);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // the state dir goes with delete
        }
    }
}

package crema.process;

import crema.sys.Errno;
import crema.sys.Sys;
import crema.sys.SysException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Java's end of the sync socket with crema-init (native-helpers/PLAN.md):
 *
 * <pre>
 *   init → Java    SEALED    it runs from its sealed copy (before Java moves it into the cgroup)
 *   Java → init    PLAN      the plan
 *   stage1 → Java  PID       u32 host pid of the container init
 *   Java → init    PID_ACK   id maps and cgroup are in place; payload: the state JSON for hooks
 *   init → Java    MOUNTS_DONE  rootfs ready, before pivot_root
 *   Java → init    MOUNTS_ACK   prestart and createRuntime hooks ran
 *   init → Java    READY     setup done, waiting on exec.fifo
 *   init → Java    ERROR     i32 errno + text, at any step
 * </pre>
 *
 * Each receive names the message it expects; anything else is a failure.
 */
public final class SyncChannel implements AutoCloseable {
    public static final int PLAN = 1, PID = 2, PID_ACK = 3, READY = 4, ERROR = 5, MOUNTS_DONE = 6, MOUNTS_ACK = 7,
            SEALED = 8;
    private static final int MAX_MESSAGE = 1 << 20;
    /** Setup (mounts, a slow disk) gets this long before crema gives up on the helper. */
    private static final int TIMEOUT_MS = 60_000;

    private final int fd;

    public SyncChannel(int fd) {
        this.fd = fd;
    }

    public void send(int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).put(payload);
        Sys.send(fd, b.array());
    }

    /** Receives the next message, which must be of type {@code expected}; returns its payload. */
    public ByteBuffer expect(int expected, String step) {
        byte[] buf = new byte[MAX_MESSAGE];
        int n;
        try {
            n = Sys.recv(fd, buf, TIMEOUT_MS);
        } catch (SysException e) {
            if (e.errno() == Errno.ETIMEDOUT) throw new HelperException(0, "timed out waiting for " + step);
            // the init died (an OOM kill during setup) before it read crema's last message
            if (e.errno() == Errno.ECONNRESET) throw new HelperException(0, "container init exited before " + step);
            throw e;
        }
        if (n == 0) throw new HelperException(0, "container init exited before " + step);
        if (n < 4) throw new HelperException(0, "short sync message before " + step);
        ByteBuffer msg = ByteBuffer.wrap(buf, 0, n).order(ByteOrder.LITTLE_ENDIAN);
        int type = msg.getInt();
        if (type == ERROR && msg.remaining() >= 4) {
            int errno = msg.getInt();
            String text = StandardCharsets.UTF_8.decode(msg).toString();
            throw new HelperException(errno, text);
        }
        if (type != expected) throw new HelperException(0, "unexpected sync message " + type + " waiting for " + step);
        return msg.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        Sys.closeQuietly(fd);
    }
}

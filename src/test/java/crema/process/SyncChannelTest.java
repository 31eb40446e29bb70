package crema.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import crema.sys.Sys;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sync socket's end of an init that goes away. */
class SyncChannelTest {
    @BeforeAll
    static void nativeLibrary() {
        System.setProperty("crema.libdir", Path.of("target/native").toAbsolutePath().toString());
    }

    @Test
    void anInitThatExitedIsSaidSo() {
        int[] fds = Sys.socketpairSeqpacket();
        try (SyncChannel channel = new SyncChannel(fds[0])) {
            Sys.close(fds[1]);
            HelperException e = assertThrows(HelperException.class, () -> channel.expect(SyncChannel.READY, "READY"));
            assertEquals("container init exited before READY", e.getMessage());
        }
    }

    @Test
    void anInitKilledWithCremasMessageUnreadIsSaidToHaveExited() {
        // its receive queue not empty, the peer's close resets the connection (ECONNRESET), not EOF
        int[] fds = Sys.socketpairSeqpacket();
        try (SyncChannel channel = new SyncChannel(fds[0])) {
            channel.send(SyncChannel.PID_ACK, new byte[] {1, 2, 3});
            Sys.close(fds[1]);
            HelperException e = assertThrows(HelperException.class,
                    () -> channel.expect(SyncChannel.MOUNTS_DONE, "MOUNTS_DONE"));
            assertEquals("container init exited before MOUNTS_DONE", e.getMessage());
        }
    }
}

package crema.lifecycle;

import crema.process.ProcStat;
import crema.state.ContainerException;
import crema.state.ContainerRecord;
import crema.state.Lock;
import crema.state.StateStore;
import crema.sys.Sys;
import crema.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** `start`: release the waiting init by reading exec.fifo, then remove the fifo. */
public final class Start {
    private static final long TIMEOUT_NANOS = 10_000_000_000L;
    private final StateStore store;

    public Start(StateStore store) {
        this.store = store;
    }

    public void start(String id) {
        try (Lock lock = store.lock(id, true)) {
            ContainerRecord r = store.load(id);
            Status status = Status.of(store, r);
            switch (status) {
                case CREATED -> {}
                case STOPPED -> throw new ContainerException("cannot start a container that has stopped");
                default -> throw new ContainerException("cannot start an already " + status.text() + " container");
            }
            Path fifo = store.dir(id).resolve(StateStore.FIFO);
            // Non-blocking, so an init that died after the check cannot hang us.
            int fd = Sys.open(fifo, Sys.O_RDONLY | Sys.O_NONBLOCK);
            try {
                waitForInit(fd, fifo, r);
            } finally {
                Sys.closeQuietly(fd);
            }
            try {
                Files.deleteIfExists(fifo);
            } catch (IOException e) {
                throw new ContainerException("remove " + fifo + ": " + e.getMessage());
            }
        }
    }

    /** True if the init's byte was there; false while no writer has come yet (EOF or EAGAIN). */
    private static boolean readByte(int fd, byte[] one, Path fifo) {
        try {
            return Sys.read(fd, one, fifo.toString()) == 1;
        } catch (SysException e) {
            if (e.errno() != crema.sys.Errno.EAGAIN) throw e;
            return false;
        }
    }

    private static void waitForInit(int fd, Path fifo, ContainerRecord r) {
        byte[] one = new byte[1];
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (true) {
            if (readByte(fd, one, fifo)) return;
            if (!ProcStat.isOurs(r.pid(), r.initStartTime())) {
                // Between that read and this check the init may have opened the fifo, written
                // its byte, exec'd and exited: then it did start, and the byte is waiting.
                if (readByte(fd, one, fifo)) return;
                throw new ContainerException("cannot start a container that has stopped");
            }
            if (System.nanoTime() > deadline) throw new ContainerException("timed out waiting for the container init to start");
            Thread.onSpinWait();
            try {
                Thread.sleep(0, 200_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerException("interrupted while starting");
            }
        }
    }
}

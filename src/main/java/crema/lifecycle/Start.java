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
    private final java.util.function.Consumer<String> warnings;

    /** warnings receives what a failed poststart hook said: the spec makes that a warning. */
    public Start(StateStore store, java.util.function.Consumer<String> warnings) {
        this.store = store;
        this.warnings = warnings;
    }

    /** The OCI state JSON of the container, for hooks' stdin. */
    static byte[] stateJson(ContainerRecord r, String status) {
        return crema.spec.StateJson.write(new crema.spec.State(r.ociVersion(), r.id(), status,
                status.equals("stopped") ? 0 : r.pid(), r.bundle(), r.annotations()));
    }

    public void start(String id) {
        try {
            startSteps(id);
        } catch (RuntimeException e) {
            Debug.failed("start");
            throw e;
        }
    }

    private void startSteps(String id) {
        Debug.step("start " + id + ": loading its state");
        try (Lock lock = store.lock(id, true)) {
            ContainerRecord r = store.load(id);
            Status status = Status.of(store, r);
            switch (status) {
                case CREATED -> {}
                case STOPPED -> throw new ContainerException("cannot start a container that has stopped");
                default -> throw new ContainerException("cannot start an already " + status.text() + " container");
            }
            Path fifo = store.dir(id).resolve(StateStore.FIFO);
            Debug.step("releasing init pid " + r.pid() + " through " + fifo);
            // Non-blocking, so an init that died after the check cannot hang us.
            int fd = Sys.open(fifo, Sys.O_RDONLY | Sys.O_NONBLOCK);
            CrashPoint.at("start:opened");
            try {
                waitForInit(fd, fifo, r);
            } finally {
                Sys.closeQuietly(fd);
            }
            CrashPoint.at("start:released");
            try {
                Files.deleteIfExists(fifo);
            } catch (IOException e) {
                throw new ContainerException("remove " + fifo + ": " + e.getMessage());
            }
            var hooks = crema.hooks.LaterHooks.load(store.dir(id));
            Debug.step("started; running " + hooks.poststart().size() + " poststart hook(s)");
            if (!hooks.poststart().isEmpty()) {
                crema.hooks.HookRunner.runWarning(hooks.poststart(), "poststart", stateJson(r, "running"), warnings);
            }
        }
    }

    private static void waitForInit(int fd, Path fifo, ContainerRecord r) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!readByte(fd, fifo)) {
            // A short-lived container may have written its byte and exited between two reads:
            // then this read gets it, and the container did start.
            if (!ProcStat.isOurs(r.pid(), r.initStartTime())) {
                if (readByte(fd, fifo)) return;
                throw new ContainerException("cannot start a container that has stopped");
            }
            if (System.nanoTime() > deadline) throw new ContainerException("timed out waiting for the container init to start");
            try {
                Thread.sleep(0, 200_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerException("interrupted while starting");
            }
        }
    }

    /** One byte from the fifo: true once the init has written it. */
    private static boolean readByte(int fd, Path fifo) {
        try {
            return Sys.read(fd, new byte[1], fifo.toString()) == 1;
        } catch (SysException e) {
            if (e.errno() != crema.sys.Errno.EAGAIN) throw e;
            return false;
        }
    }
}

package crema.lifecycle;

import crema.cgroups.CgroupManager;
import crema.cgroups.CgroupStats;
import crema.state.ContainerException;
import crema.state.ContainerRecord;
import crema.state.StateStore;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * `events`: the container's cgroup statistics, once or every interval, and an
 * "oom" event each time the cgroup runs out of memory. The stream ends when
 * the container stops. No lock is held: it only reads.
 */
public final class Events {
    /** How often the OOM counter is read between two statistics. */
    private static final long OOM_POLL_MILLIS = 50;
    private final StateStore store;
    private final CgroupManager cgroups;

    /** Where events go. */
    public interface Sink {
        void stats(CgroupStats stats);

        void oom();
    }

    public Events(StateStore store, CgroupManager cgroups) {
        this.store = store;
        this.cgroups = cgroups;
    }

    public CgroupStats stats(String id) {
        ContainerRecord r = running(id);
        return cgroups.stats(dirs(r));
    }

    /** Statistics now and every interval, OOM events as they happen, until the container stops. */
    public void stream(String id, Duration interval, Sink sink) throws InterruptedException {
        ContainerRecord r = running(id);
        List<Path> dirs = dirs(r);
        long ooms = cgroups.oomCount(dirs);
        long next = System.nanoTime();
        while (true) {
            boolean stopped = Status.of(store, r) == Status.STOPPED;
            try {
                // Counted after a stop too: an OOM kill of the init is the last thing that happens.
                for (long count = cgroups.oomCount(dirs); ooms < count; ooms++) sink.oom();
                if (stopped) return;
                if (System.nanoTime() - next >= 0) {
                    sink.stats(cgroups.stats(dirs));
                    next += interval.toNanos();
                }
            } catch (UncheckedIOException | ContainerException e) {
                if (Status.of(store, r) == Status.STOPPED) return; // its cgroup went away with it
                throw e;
            }
            Thread.sleep(Math.max(1, Math.min(OOM_POLL_MILLIS, (next - System.nanoTime()) / 1_000_000)));
        }
    }

    private ContainerRecord running(String id) {
        StateStore.checkId(id);
        ContainerRecord r = store.load(id);
        if (Status.of(store, r) == Status.STOPPED) throw new ContainerException("container with id " + id + " is not running");
        return r;
    }

    private static List<Path> dirs(ContainerRecord r) {
        return r.cgroupDirs().stream().map(Path::of).toList();
    }
}

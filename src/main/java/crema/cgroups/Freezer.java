package crema.cgroups;

import crema.state.ContainerException;
import java.nio.file.Path;

/**
 * pause/resume: v1's freezer.state and v2's cgroup.freeze. Both change state
 * asynchronously, so each write is followed by a bounded wait for the kernel
 * to report the new state; a freeze that does not complete is undone.
 */
final class Freezer {
    private static final long WAIT_NANOS = 5_000_000_000L;

    private Freezer() {}

    static void v1(Path dir, boolean frozen) {
        Path state = dir.resolve("freezer.state");
        String want = frozen ? "FROZEN" : "THAWED";
        CgroupFiles.set(dir, "freezer.state", want, frozen ? "pause" : "resume");
        if (!await(() -> CgroupFiles.read(state).equals(want))) {
            if (frozen) CgroupFiles.set(dir, "freezer.state", "THAWED", "pause");
            throw new ContainerException((frozen ? "pause" : "resume") + ": " + state + " stayed " + CgroupFiles.read(state));
        }
    }

    /** cgroup.events says "frozen 1" once every process is stopped. */
    static void v2(Path dir, boolean frozen) {
        CgroupFiles.set(dir, "cgroup.freeze", frozen ? "1" : "0", frozen ? "pause" : "resume");
        Path events = dir.resolve("cgroup.events");
        long want = frozen ? 1 : 0;
        if (!await(() -> CgroupFiles.keyValues(events).getOrDefault("frozen", 0L) == want)) {
            if (frozen) CgroupFiles.set(dir, "cgroup.freeze", "0", "pause");
            throw new ContainerException((frozen ? "pause" : "resume") + ": " + events + " did not report frozen " + want);
        }
    }

    private static boolean await(java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        for (long sleep = 1; ; sleep = Math.min(sleep * 2, 50)) {
            if (done.getAsBoolean()) return true;
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}

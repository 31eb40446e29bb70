package crema.lifecycle;

import crema.process.ProcStat;
import crema.state.ContainerRecord;
import crema.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** The OCI statuses, derived from the init process and the fifo, never read from disk. */
public enum Status {
    CREATING, CREATED, RUNNING, PAUSED, STOPPED;

    public String text() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Status of(StateStore store, ContainerRecord r) {
        if (r.pid() == 0) return CREATING; // saved by a create before its init existed
        if (!ProcStat.isOurs(r.pid(), r.initStartTime())) return STOPPED;
        if (Files.exists(store.dir(r.id()).resolve(StateStore.FIFO))) return CREATED;
        for (String dir : r.cgroupDirs()) {
            Path freezer = Path.of(dir, "freezer.state");
            if (Files.exists(freezer)) {
                try {
                    if (Files.readString(freezer).trim().equals("FROZEN")) return PAUSED;
                } catch (java.io.IOException e) {
                    // no freezer to read: not paused
                }
            }
        }
        return RUNNING;
    }
}

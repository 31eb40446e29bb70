package crema.lifecycle;

import crema.process.ProcStat;
import crema.state.ContainerRecord;
import crema.state.StateStore;
import crema.sys.SmallFile;
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
            // v1's freezer, or v2's cgroup.freeze (a hybrid host's empty cgroup2 tree has it too, at 0).
            if (reads(Path.of(dir, "freezer.state"), "FROZEN") || reads(Path.of(dir, "cgroup.freeze"), "1")) return PAUSED;
        }
        return RUNNING;
    }

    private static boolean reads(Path file, String value) {
        try {
            return SmallFile.readString(file).trim().equals(value);
        } catch (java.io.IOException e) { // also when the file does not exist
            return false; // gone meanwhile: not paused
        }
    }
}

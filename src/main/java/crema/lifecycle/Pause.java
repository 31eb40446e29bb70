package crema.lifecycle;

import crema.cgroups.CgroupManager;
import crema.state.ContainerException;
import crema.state.ContainerRecord;
import crema.state.Lock;
import crema.state.StateStore;
import java.nio.file.Path;

/** `pause` and `resume`: freeze and thaw every process of the container through its cgroup. */
public final class Pause {
    private final StateStore store;
    private final CgroupManager cgroups;

    public Pause(StateStore store, CgroupManager cgroups) {
        this.store = store;
        this.cgroups = cgroups;
    }

    /** A created container can be paused too, as with runc. */
    public void pause(String id) {
        try (Lock lock = store.lock(id, true)) {
            ContainerRecord r = store.load(id);
            Status s = Status.of(store, r);
            if (s != Status.RUNNING && s != Status.CREATED) throw new ContainerException("container not running");
            cgroups.setFrozen(r.cgroupDirs().stream().map(Path::of).toList(), true);
        }
    }

    public void resume(String id) {
        try (Lock lock = store.lock(id, true)) {
            ContainerRecord r = store.load(id);
            if (Status.of(store, r) != Status.PAUSED) throw new ContainerException("container not paused");
            cgroups.setFrozen(r.cgroupDirs().stream().map(Path::of).toList(), false);
        }
    }
}

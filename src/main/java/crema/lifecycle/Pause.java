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
            cgroups.setFrozen(ownCgroups(r, "pause"), true);
        }
    }

    /** The container's cgroups; a container without any (rootless, none delegated) is refused rather than left as it is. */
    static java.util.List<Path> ownCgroups(ContainerRecord r, String command) {
        if (r.cgroupDirs().isEmpty()) {
            throw new ContainerException(command + ": the container has no cgroup of its own (rootless, and no cgroup is"
                    + " delegated to its user, or a host without cgroups)");
        }
        return r.cgroupDirs().stream().map(Path::of).toList();
    }

    public void resume(String id) {
        try (Lock lock = store.lock(id, true)) {
            ContainerRecord r = store.load(id);
            if (Status.of(store, r) != Status.PAUSED) throw new ContainerException("container not paused");
            cgroups.setFrozen(ownCgroups(r, "resume"), false);
        }
    }
}

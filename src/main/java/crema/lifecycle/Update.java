package crema.lifecycle;

import crema.cgroups.CgroupManager;
import crema.cgroups.ResourcesCheck;
import crema.spec.Resources;
import crema.state.ContainerException;
import crema.state.ContainerRecord;
import crema.state.Lock;
import crema.state.StateStore;
import java.nio.file.Path;

/**
 * `update`: new limits for a running (or paused, or created) container. Only
 * the values given change; device rules stay as create set them, as in runc.
 */
public final class Update {
    private final StateStore store;
    private final CgroupManager cgroups;

    public Update(StateStore store, CgroupManager cgroups) {
        this.store = store;
        this.cgroups = cgroups;
    }

    public void update(String id, Resources resources) {
        ResourcesCheck.check(resources);
        try (Lock lock = store.lock(id, true)) {
            ContainerRecord r = store.load(id);
            if (Status.of(store, r) == Status.STOPPED) throw new ContainerException("container not running");
            CgroupManager.forRecord(cgroups, r.systemdCgroup()).apply(Pause.ownCgroups(r, "update"), resources, null, true);
        }
    }
}

package crema.lifecycle;

import crema.state.ContainerRecord;
import crema.state.StateStore;
import java.util.List;

/** `ps`: the host pids of every process in the container's cgroup. */
public final class Ps {
    private final StateStore store;

    public Ps(StateStore store) {
        this.store = store;
    }

    public List<Integer> pids(String id) {
        StateStore.checkId(id);
        ContainerRecord r = store.load(id);
        return Kill.cgroupPids(r);
    }
}

package crema.cgroups;

import crema.spec.Resources;
import crema.state.ContainerException;
import java.nio.file.Path;
import java.util.List;

/**
 * A host without a cgroup file system: containers run without a cgroup. Any
 * limit is refused, since nothing could enforce it; device rules are skipped
 * (the container's /dev holds only the nodes the plan makes).
 */
public final class CgroupDisabled implements CgroupManager {

    @Override
    public List<Dir> locate(String cgroupsPath, String id) {
        return List.of();
    }

    @Override
    public List<Dir> own() {
        return List.of();
    }

    @Override
    public List<Path> create(List<Dir> dirs) {
        return List.of();
    }

    @Override
    public void apply(List<Path> dirs, Resources r, List<DeviceRule> devices, boolean update) {
        if (r == null) return;
        boolean limits = r.memory() != null || r.cpu() != null || r.pids() != null || r.blockIO() != null
                || (r.hugepageLimits() != null && !r.hugepageLimits().isEmpty()) || r.network() != null
                || (r.rdma() != null && !r.rdma().isEmpty()) || (r.unified() != null && !r.unified().isEmpty());
        if (limits) throw new ContainerException(ResourcesCheck.ROOT + ": this host has no cgroup file system to enforce limits");
    }

    @Override
    public void setFrozen(List<Path> dirs, boolean frozen) {
        throw new ContainerException((frozen ? "pause" : "resume") + ": this host has no cgroup file system (no freezer)");
    }

    @Override
    public CgroupStats stats(List<Path> dirs) {
        return CgroupStats.empty();
    }

    @Override
    public long oomCount(List<Path> dirs) {
        return 0;
    }
}

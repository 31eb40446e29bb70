package crema.cgroups;

import crema.spec.Resources;
import crema.state.ContainerException;

/**
 * A rootless container whose user may not write the cgroups it would get
 * (no subtree delegated to it) runs in crema's own cgroup, as with runc. That
 * is fine while the config asks for no limit; a limit it asks for could not
 * be enforced, so it is refused by name. Device rules are not limits here: a
 * user namespace already keeps mknod out, and the bound host nodes keep their
 * host permissions.
 */
public final class RootlessCgroups {
    private RootlessCgroups() {}

    /** Throws naming the first resource field set, if any; why says which cgroup the user may not write. */
    public static void refuseLimits(Resources r, String why) {
        String field = firstLimit(r);
        if (field != null) {
            throw new ContainerException(ResourcesCheck.ROOT + "." + field + ": cannot be applied: " + why);
        }
    }

    static String firstLimit(Resources r) {
        if (r == null) return null;
        if (r.memory() != null) return "memory";
        if (r.cpu() != null) return "cpu";
        if (r.pids() != null) return "pids";
        if (r.blockIO() != null) return "blockIO";
        if (r.hugepageLimits() != null && !r.hugepageLimits().isEmpty()) return "hugepageLimits";
        if (r.network() != null) return "network";
        if (r.rdma() != null && !r.rdma().isEmpty()) return "rdma";
        if (r.unified() != null && !r.unified().isEmpty()) return "unified";
        return null;
    }
}

package crema.plan;

import static crema.plan.Linux.S_IFCHR;

import crema.plan.LaunchPlan.DeviceNode;
import crema.plan.LaunchPlan.Symlink;
import java.util.List;

/** The /dev nodes and symlinks every runc container gets. */
final class DefaultDevices {
    private DefaultDevices() {}

    static final List<DeviceNode> NODES = List.of(
            node("/dev/null", 1, 3), node("/dev/zero", 1, 5), node("/dev/full", 1, 7),
            node("/dev/random", 1, 8), node("/dev/urandom", 1, 9), node("/dev/tty", 5, 0));

    static List<Symlink> symlinks(boolean hostHasKcore) {
        List<Symlink> links = new java.util.ArrayList<>(List.of(
                new Symlink("/proc/self/fd", "/dev/fd"),
                new Symlink("/proc/self/fd/0", "/dev/stdin"),
                new Symlink("/proc/self/fd/1", "/dev/stdout"),
                new Symlink("/proc/self/fd/2", "/dev/stderr"),
                new Symlink("pts/ptmx", "/dev/ptmx")));
        if (hostHasKcore) links.add(new Symlink("/proc/kcore", "/dev/core"));
        return List.copyOf(links);
    }

    private static DeviceNode node(String path, int major, int minor) {
        return new DeviceNode(S_IFCHR, major, minor, 0666, 0, 0, false, path);
    }
}

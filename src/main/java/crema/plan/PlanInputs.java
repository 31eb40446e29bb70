package crema.plan;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the plan needs besides config.json: the bundle, the container's own
 * state dir, the caller's flags and a few facts of the host. Tests pass fakes.
 *
 * @param cgroupDirs the container's cgroup directories, for "cgroup" mounts:
 *                   on a v1 host one per hierarchy (name → dir), on a v2 host one
 *                   entry with an empty name
 * @param isHostDirectory tells a bind source that is a directory from a file
 */
public record PlanInputs(
        Path bundle,
        String fifoDir,
        int preserveFds,
        boolean noPivot,
        boolean newKeyring,
        List<CgroupDir> cgroupDirs,
        boolean hostHasKcore,
        Predicate<Path> isHostDirectory) {

    public record CgroupDir(String name, Path dir) {}
}

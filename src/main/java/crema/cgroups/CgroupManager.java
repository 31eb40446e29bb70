package crema.cgroups;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A container's cgroup: created from linux.cgroupsPath with runc's rules
 * (absolute: under each hierarchy's root; relative or empty: under crema's own
 * cgroup, empty meaning the container id), joined by the init, destroyed on
 * delete. Only directories crema created are ever removed.
 */
public interface CgroupManager {

    /** One directory, named for its hierarchy ("memory", "systemd", "unified"; "" on a v2 host). */
    record Dir(String hierarchy, Path path) {}

    /** Where the container's cgroup is, per hierarchy; no side effects. */
    List<Dir> locate(String cgroupsPath, String id);

    /** Creates the directories; returns those this call made (parents first), the only ones delete removes. */
    List<Path> create(List<Dir> dirs);

    /** Moves a process into every directory (cgroup.procs is the same file on v1 and v2). */
    default void join(List<Path> dirs, int pid) {
        for (Path d : dirs) CgroupFiles.write(d.resolve("cgroup.procs"), Integer.toString(pid));
    }

    /** Removes the created directories, deepest first; waits a bounded time for them to empty. */
    default void destroy(List<Path> created) {
        CgroupFiles.removeAll(created);
    }

    /** The host's manager: v2 when /sys/fs/cgroup is cgroup2, else v1 (including hybrid). */
    static CgroupManager forHost() {
        Path root = Path.of("/sys/fs/cgroup");
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            return new CgroupV2(root, Path.of("/proc/self/cgroup"));
        }
        return new CgroupV1(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"));
    }
}

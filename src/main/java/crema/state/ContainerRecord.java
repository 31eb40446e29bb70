package crema.state;

import java.util.List;
import java.util.Map;

/**
 * What crema remembers of a container between commands (state.json in its
 * state dir). Status is not stored: it is derived from the process each time.
 *
 * @param initStartTime the init's start time (field 22 of /proc/pid/stat), to
 *                      tell it from a later process that reuses the pid
 * @param cgroupDirs    every cgroup directory the init was put in
 * @param createdCgroupDirs the ones crema created (and so may remove), deepest last
 * @param systemdCgroup what create was told, since later callers may not repeat it
 */
public record ContainerRecord(
        String ociVersion,
        String id,
        int pid,
        long initStartTime,
        String bundle,
        String rootfs,
        String created,
        String owner,
        Map<String, String> annotations,
        List<String> cgroupDirs,
        List<String> createdCgroupDirs,
        boolean systemdCgroup) {}

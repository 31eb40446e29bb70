package crema.cgroups;

import crema.spec.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A container's cgroup: created from linux.cgroupsPath with runc's rules
 * (absolute: under each hierarchy's root; relative or empty: under crema's own
 * cgroup, empty meaning the container id), given its resources, joined by the
 * init, frozen and measured while it runs, destroyed on delete. Only
 * directories crema created are ever removed.
 *
 * Implementations: {@link CgroupV1} (legacy and hybrid hosts), {@link CgroupV2}
 * (unified), {@link CgroupDisabled} (no cgroup file system); {@link #forHost}
 * picks one. {@link SystemdCgroup} (--systemd-cgroup) has systemd make the
 * cgroup and uses one of those for its files. Every path is injectable, so tests work in a temp dir.
 */
public interface CgroupManager {

    /** One directory, named for its hierarchy ("memory", "systemd", "unified"; "" on a v2 host). */
    record Dir(String hierarchy, Path path) {}

    /** Where the container's cgroup is, per hierarchy; no side effects. */
    List<Dir> locate(String cgroupsPath, String id);

    /** Where crema itself is, per hierarchy: a rootless container without a cgroup of its own stays there. */
    List<Dir> own();

    /**
     * Whether this caller may make (or join) every one of dirs: the nearest existing
     * ancestor of each is writable to it, as in a subtree delegated to a user.
     */
    static boolean writable(List<Dir> dirs) {
        for (Dir d : dirs) {
            Path p = d.path();
            while (p != null && !Files.exists(p)) p = p.getParent();
            if (p == null) return false;
            if (!Files.isWritable(p.equals(d.path()) ? p.resolve("cgroup.procs") : p)) return false;
        }
        return true;
    }

    /** locate for create: the config's annotations may carry settings for the manager (systemd's org.systemd.property.*). */
    default List<Dir> locate(String cgroupsPath, String id, java.util.Map<String, String> annotations) {
        return locate(cgroupsPath, id);
    }

    /** The directories create would make now (parents first), for a record saved before it runs. */
    static List<Path> missing(List<Dir> dirs) {
        List<Path> out = new java.util.ArrayList<>();
        for (Dir d : dirs) out.addAll(CgroupFiles.missing(d.path()));
        return out;
    }

    /** What create would make now, for a record saved before it runs (the systemd driver: its unit, not the slices). */
    default List<Path> wouldCreate(List<Dir> dirs) {
        return missing(dirs);
    }

    /**
     * Creates the directories; returns those this call made (parents first), the
     * only ones delete removes and the only ones whose processes it kills. A
     * directory that exists already must be empty, in it and below it.
     */
    List<Path> create(List<Dir> dirs);

    /**
     * Writes linux.resources into the container's directories.
     *
     * @param devices the device rules to install (create), or null to leave them as they are (update, as runc)
     * @param update  the container is running: memory.checkBeforeUpdate applies, unset values keep theirs
     */
    void apply(List<Path> dirs, Resources resources, List<DeviceRule> devices, boolean update);

    /** Moves a process into every directory (cgroup.procs is the same file on v1 and v2). */
    default void join(List<Path> dirs, int pid) {
        for (Path d : dirs) CgroupFiles.write(d.resolve("cgroup.procs"), Integer.toString(pid));
    }

    /** Freezes (or thaws) every process in the cgroup and waits until the kernel says it is done. */
    void setFrozen(List<Path> dirs, boolean frozen);

    /** The numbers runc's `events` reports. */
    CgroupStats stats(List<Path> dirs);

    /** How many times the cgroup ran out of memory so far (OOM kills, or OOM while the killer is off). */
    long oomCount(List<Path> dirs);

    /** Removes the created directories, deepest first; waits a bounded time for them to empty. */
    default void destroy(List<Path> created) {
        CgroupFiles.removeAll(created);
    }

    /** The manager for a container's later commands: the systemd driver's when create used it (callers may not repeat the flag). */
    static CgroupManager forRecord(CgroupManager host, boolean systemd) {
        return systemd && !(host instanceof SystemdCgroup) ? new SystemdCgroup(host) : host;
    }

    /** The host's manager for create: with --systemd-cgroup, the systemd driver over it. */
    static CgroupManager forHost(boolean systemd) {
        return forRecord(forHost(), systemd);
    }

    /** The host's manager: v2 when /sys/fs/cgroup is cgroup2, v1 when any v1 hierarchy is mounted, else none. */
    static CgroupManager forHost() {
        Path root = Path.of("/sys/fs/cgroup");
        Path procSelfCgroup = Path.of("/proc/self/cgroup");
        if (Files.exists(root.resolve("cgroup.controllers"))) return new CgroupV2(root, procSelfCgroup);
        CgroupV1 v1 = new CgroupV1(Path.of("/proc/self/mountinfo"), procSelfCgroup);
        return v1.hierarchies().isEmpty() ? new CgroupDisabled() : v1;
    }
}

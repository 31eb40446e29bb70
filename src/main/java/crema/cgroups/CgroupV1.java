package crema.cgroups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import crema.spec.Resources;
import crema.state.ContainerException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * cgroup v1, and hybrid hosts (v1 controllers plus a cgroup2 tree): one
 * directory per mounted hierarchy, found in mountinfo. Paths injectable for tests.
 */
public final class CgroupV1 implements CgroupManager {
    private final Path mountinfo;
    private final Path procSelfCgroup;

    public CgroupV1(Path mountinfo, Path procSelfCgroup) {
        this.mountinfo = mountinfo;
        this.procSelfCgroup = procSelfCgroup;
    }

    /** A mounted hierarchy: the key /proc/self/cgroup uses for it, and where it is mounted. */
    record Hierarchy(String key, Path mount) {}

    List<Hierarchy> hierarchies() {
        List<Hierarchy> found = new ArrayList<>();
        try {
            for (String line : crema.sys.SmallFile.readLines(mountinfo)) {
                // id parent maj:min root mountpoint opts [optional...] - fstype source superopts
                int dash = line.indexOf(" - ");
                if (dash < 0) continue;
                String[] pre = line.substring(0, dash).split(" ");
                String[] post = line.substring(dash + 3).split(" ");
                // only a mount of the hierarchy's root: a bind of a cgroup below it elsewhere is not the hierarchy
                if (pre.length < 5 || post.length < 3 || !pre[3].equals("/")) continue;
                Path mount = Path.of(pre[4]);
                if (post[0].equals("cgroup2")) {
                    if (found.stream().noneMatch(h -> h.key().isEmpty())) found.add(new Hierarchy("", mount));
                } else if (post[0].equals("cgroup")) {
                    String key = null;
                    for (String opt : post[2].split(",")) {
                        if (opt.equals("rw") || opt.equals("ro") || opt.startsWith("release_agent") || opt.equals("clone_children")
                                || opt.equals("noprefix") || opt.equals("xattr")) continue;
                        key = key == null ? opt : key + "," + opt;
                    }
                    String k = key;
                    if (k != null && found.stream().noneMatch(h -> h.key().equals(k))) found.add(new Hierarchy(k, mount));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("read " + mountinfo, e);
        }
        return found;
    }

    @Override
    public List<Dir> locate(String cgroupsPath, String id) {
        Map<String, String> own = CgroupFiles.ownCgroups(procSelfCgroup);
        List<Dir> dirs = new ArrayList<>();
        for (Hierarchy h : hierarchies()) {
            String ownPath = own.get(h.key().split(",")[0]);
            dirs.add(new Dir(h.mount().getFileName().toString(), CgroupFiles.resolve(h.mount(), ownPath, cgroupsPath, id)));
        }
        return List.copyOf(dirs);
    }

    @Override
    public List<Dir> own() {
        Map<String, String> own = CgroupFiles.ownCgroups(procSelfCgroup);
        List<Dir> dirs = new ArrayList<>();
        for (Hierarchy h : hierarchies()) {
            String ownPath = own.getOrDefault(h.key().split(",")[0], "/");
            dirs.add(new Dir(h.mount().getFileName().toString(), CgroupFiles.resolve(h.mount(), ownPath, ownPath, "")));
        }
        return List.copyOf(dirs);
    }

    @Override
    public List<Path> create(List<Dir> dirs) {
        List<Path> created = new ArrayList<>();
        try {
            for (Dir d : dirs) {
                List<Path> made = CgroupFiles.mkdirs(d.path());
                created.addAll(made);
                if (!made.contains(d.path())) CgroupFiles.checkEmpty(d.path());
                if (Files.exists(d.path().resolve("cpuset.cpus"))) inheritCpuset(d.path(), made);
                CgroupFiles.checkNotFrozen(d.path());
            }
        } catch (RuntimeException e) {
            CgroupFiles.removeAll(created);
            throw e;
        }
        return List.copyOf(created);
    }

    /**
     * A v1 cpuset with no cpus or mems refuses tasks (ENOSPC). Each one crema
     * made gets its parent's; the deepest one that existed must have its own,
     * since crema never writes to a cgroup it did not make (runc would fill it).
     */
    private static void inheritCpuset(Path leaf, List<Path> made) {
        Path existing = made.isEmpty() ? leaf : made.get(0).getParent();
        for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
            if (CgroupFiles.read(existing.resolve(file)).isEmpty()) {
                throw new ContainerException("linux.cgroupsPath: cgroup " + existing + " has no " + file
                        + ": a cpuset without cpus and mems takes no process, and crema does not write to a cgroup it did not"
                        + " create; give it cpus and mems, or use a path outside it");
            }
        }
        for (Path dir : made) {
            for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
                if (CgroupFiles.read(dir.resolve(file)).isEmpty()) {
                    CgroupFiles.write(dir.resolve(file), CgroupFiles.read(dir.getParent().resolve(file)));
                }
            }
        }
    }

    @Override
    public void apply(List<Path> dirs, Resources resources, List<DeviceRule> devices, boolean update) {
        new V1Resources(controllerDirs(dirs)).apply(resources, devices, update);
    }

    @Override
    public void setFrozen(List<Path> dirs, boolean frozen) {
        Path freezer = controllerDirs(dirs).get("freezer");
        if (freezer == null) throw new ContainerException((frozen ? "pause" : "resume") + ": the freezer cgroup controller is not mounted on this host");
        Freezer.v1(freezer, frozen);
    }

    /** True when the container has a freezer cgroup and it is thawed: there is something to freeze. */
    boolean thawed(List<Path> dirs) {
        Path freezer = controllerDirs(dirs).get("freezer");
        return freezer != null && CgroupFiles.read(freezer.resolve("freezer.state")).equals("THAWED");
    }

    @Override
    public CgroupStats stats(List<Path> dirs) {
        return V1Stats.read(controllerDirs(dirs));
    }

    @Override
    public long oomCount(List<Path> dirs) {
        Path memory = controllerDirs(dirs).get("memory");
        return memory == null ? 0 : CgroupFiles.keyValues(memory.resolve("memory.oom_control")).getOrDefault("oom_kill", 0L);
    }

    /**
     * Each controller's directory among a container's dirs: the hierarchy a
     * dir lies in is the mount that is its longest prefix; co-mounted
     * controllers ("cpu,cpuacct") share the dir. The cgroup2 tree of a hybrid
     * host has no v1 controllers and is left out.
     */
    Map<String, Path> controllerDirs(List<Path> dirs) {
        List<Hierarchy> hierarchies = hierarchies();
        Map<String, Path> byController = new HashMap<>();
        for (Path dir : dirs) {
            Hierarchy best = null;
            for (Hierarchy h : hierarchies) {
                if (dir.startsWith(h.mount()) && (best == null || h.mount().getNameCount() > best.mount().getNameCount())) best = h;
            }
            if (best == null || best.key().isEmpty()) continue;
            for (String controller : best.key().split(",")) byController.putIfAbsent(controller, dir);
        }
        return byController;
    }
}

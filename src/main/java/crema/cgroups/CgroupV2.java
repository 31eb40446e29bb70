package crema.cgroups;

import crema.spec.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The unified hierarchy: one directory under /sys/fs/cgroup (root injectable for tests). */
public final class CgroupV2 implements CgroupManager {
    private final Path root;
    private final Path procSelfCgroup;

    public CgroupV2(Path root, Path procSelfCgroup) {
        this.root = root;
        this.procSelfCgroup = procSelfCgroup;
    }

    @Override
    public List<Dir> locate(String cgroupsPath, String id) {
        String own = CgroupFiles.ownCgroups(procSelfCgroup).get("");
        return List.of(new Dir("", CgroupFiles.resolve(root, own, cgroupsPath, id)));
    }

    @Override
    public List<Dir> own() {
        String own = CgroupFiles.ownCgroups(procSelfCgroup).getOrDefault("", "/");
        return List.of(new Dir("", CgroupFiles.resolve(root, own, own, "")));
    }

    @Override
    public List<Path> create(List<Dir> dirs) {
        Path dir = dirs.get(0).path();
        List<Path> created = CgroupFiles.mkdirs(dir);
        try {
            if (!created.contains(dir)) CgroupFiles.checkEmpty(dir);
            CgroupFiles.checkNotFrozen(dir);
            enableControllers(dir);
        } catch (RuntimeException e) {
            CgroupFiles.removeAll(created);
            throw e;
        }
        return created;
    }

    /**
     * A v2 directory only has the files of the controllers its parent
     * delegates: each ancestor from the root down passes on every controller
     * it has (runc does the same).
     */
    private void enableControllers(Path dir) {
        List<Path> ancestors = new ArrayList<>();
        for (Path p = dir.getParent(); p != null && p.startsWith(root); p = p.getParent()) ancestors.add(0, p);
        for (Path p : ancestors) {
            Path available = p.resolve("cgroup.controllers");
            if (!Files.exists(available)) continue;
            List<String> enabled = List.of(CgroupFiles.read(p.resolve("cgroup.subtree_control")).split(" "));
            StringBuilder add = new StringBuilder();
            for (String c : CgroupFiles.read(available).split(" ")) {
                if (!c.isEmpty() && !enabled.contains(c)) add.append(add.isEmpty() ? "" : " ").append('+').append(c);
            }
            if (!add.isEmpty()) CgroupFiles.set(p, "cgroup.subtree_control", add.toString(), "enable controllers for " + dir);
        }
    }

    @Override
    public void apply(List<Path> dirs, Resources resources, List<DeviceRule> devices, boolean update) {
        Path dir = dirs.get(0);
        new V2Resources(dir).apply(resources, update);
        if (devices != null) V2Devices.attach(dir, devices);
    }

    @Override
    public void setFrozen(List<Path> dirs, boolean frozen) {
        Freezer.v2(dirs.get(0), frozen);
    }

    @Override
    public CgroupStats stats(List<Path> dirs) {
        return V2Stats.read(dirs.get(0));
    }

    /** memory.events: "oom" counts every time the limit was hit and reclaim failed, killed or not. */
    @Override
    public long oomCount(List<Path> dirs) {
        var events = CgroupFiles.keyValues(dirs.get(0).resolve("memory.events"));
        return Math.max(events.getOrDefault("oom", 0L), events.getOrDefault("oom_kill", 0L));
    }
}

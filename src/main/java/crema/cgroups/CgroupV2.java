package crema.cgroups;

import java.nio.file.Path;
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
    public List<Path> create(List<Dir> dirs) {
        return CgroupFiles.mkdirs(dirs.get(0).path());
    }
}

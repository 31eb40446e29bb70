package crema.cgroups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
            for (String line : Files.readAllLines(mountinfo)) {
                // id parent maj:min root mountpoint opts [optional...] - fstype source superopts
                int dash = line.indexOf(" - ");
                if (dash < 0) continue;
                String[] pre = line.substring(0, dash).split(" ");
                String[] post = line.substring(dash + 3).split(" ");
                if (pre.length < 5 || post.length < 3) continue;
                Path mount = Path.of(pre[4]);
                if (post[0].equals("cgroup2")) {
                    found.add(new Hierarchy("", mount));
                } else if (post[0].equals("cgroup")) {
                    String key = null;
                    for (String opt : post[2].split(",")) {
                        if (opt.equals("rw") || opt.equals("ro") || opt.startsWith("release_agent") || opt.equals("clone_children")
                                || opt.equals("noprefix") || opt.equals("xattr")) continue;
                        key = key == null ? opt : key + "," + opt;
                    }
                    if (key != null) found.add(new Hierarchy(key, mount));
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
    public List<Path> create(List<Dir> dirs) {
        List<Path> created = new ArrayList<>();
        try {
            for (Dir d : dirs) {
                List<Path> made = CgroupFiles.mkdirs(d.path());
                created.addAll(made);
                if (Files.exists(d.path().resolve("cpuset.cpus"))) inheritCpuset(made);
            }
        } catch (RuntimeException e) {
            CgroupFiles.removeAll(created);
            throw e;
        }
        return List.copyOf(created);
    }

    /** A new v1 cpuset has no cpus or mems, and refuses tasks until it gets its parent's. */
    private static void inheritCpuset(List<Path> made) {
        for (Path dir : made) {
            for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
                if (CgroupFiles.read(dir.resolve(file)).isEmpty()) {
                    CgroupFiles.write(dir.resolve(file), CgroupFiles.read(dir.getParent().resolve(file)));
                }
            }
        }
    }
}

package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * linux.cgroupsPath with runc's rules: absolute, relative, empty, nested; the
 * init joins it, delete removes it. On v1 in every hierarchy, on v2 in the one tree.
 */
class CgroupIT extends ConformanceBase {
    private static final Path MEMORY = hierarchy("memory");

    /** Where a controller's tree is mounted: its own v1 hierarchy, or the v2 root. */
    private static Path hierarchy(String controller) {
        return CgroupFs.V2 ? CgroupFs.ROOT : CgroupFs.ROOT.resolve(controller);
    }

    private String createdIn(String cgroupsPath) {
        if (cgroupsPath != null) bundle.set("linux.cgroupsPath", cgroupsPath);
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("create", "--pid-file", tmp.resolve(id + ".pid").toString(), "--bundle", bundle.dir.toString(), id).ok();
        return id;
    }

    /** The cgroup of the JVM's children (crema runs in ours) for one hierarchy. */
    private static String ownCgroup(String controller) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (CgroupFs.V2 ? f[0].equals("0") : List.of(f[1].split(",")).contains(controller)) return f[2];
        }
        throw new AssertionError("no " + controller + " in /proc/self/cgroup");
    }

    private void assertInitIn(String id, Path dir) throws Exception {
        int pid = initPid(id);
        assertTrue(Files.readAllLines(dir.resolve("cgroup.procs")).contains(Integer.toString(pid)),
                "init " + pid + " not in " + dir);
    }

    @Test
    void absolutePathHangsFromTheHierarchyRoot() throws Exception {
        String name = "crema-abs-" + ProcessHandle.current().pid();
        String id = createdIn("/" + name + "/inner");
        for (String h : List.of("memory", "pids", "cpu", "freezer", "devices", "blkio", "cpuset")) {
            assertInitIn(id, hierarchy(h).resolve(name).resolve("inner"));
        }
        crema.run("delete", id).ok();
        assertFalse(Files.exists(MEMORY.resolve(name)), "created parent left behind");
        assertNothingLeft(id);
    }

    @Test
    void relativePathHangsFromCremasOwnCgroup() throws Exception {
        String name = "crema-rel-" + ProcessHandle.current().pid();
        String id = createdIn(name);
        Path dir = Path.of(MEMORY + ownCgroup("memory")).resolve(name);
        assertInitIn(id, dir);
        crema.run("delete", id).ok();
        assertFalse(Files.exists(dir));
    }

    @Test
    void emptyPathIsTheContainerId() throws Exception {
        String id = createdIn(null);
        Path dir = Path.of(MEMORY + ownCgroup("memory")).resolve(id);
        assertInitIn(id, dir);
        crema.run("delete", id).ok();
        assertFalse(Files.exists(dir));
        assertNothingLeft(id);
    }

    @Test
    void anExistingCgroupIsJoinedButNotRemoved() throws Exception {
        String name = "crema-shared-" + ProcessHandle.current().pid();
        Path pids = Files.createDirectories(hierarchy("pids").resolve(name));
        try {
            String id = createdIn("/" + name);
            assertInitIn(id, pids);
            crema.run("delete", id).ok();
            assertTrue(Files.isDirectory(pids), "a cgroup crema did not create was removed");
            if (!CgroupFs.V2) assertFalse(Files.exists(MEMORY.resolve(name)), "the memory one crema made was left");
        } finally {
            Files.deleteIfExists(pids);
        }
    }

    @Test
    void killAllSignalsEveryProcessInTheCgroup() throws Exception {
        String id = started("sleep 300 & sleep 300 & wait");
        Thread.sleep(300);
        Path dir = Path.of(MEMORY + ownCgroup("memory")).resolve(id);
        assertEquals(3, Files.readAllLines(dir.resolve("cgroup.procs")).size());
        crema.run("kill", "--all", id, "KILL").ok();
        Lifecycle.awaitStatus(crema, id, "stopped");
        crema.run("delete", id).ok();
        assertNothingLeft(id);
    }

    @Test
    void aContainerNestedUnderAParentIsHeldByTheParentsLimit() throws Exception {
        String name = "crema-parent-" + ProcessHandle.current().pid();
        if (CgroupFs.V2) Files.writeString(CgroupFs.ROOT.resolve("cgroup.subtree_control"), "+memory");
        Path parent = Files.createDirectories(MEMORY.resolve(name));
        try {
            Files.writeString(parent.resolve(CgroupFs.V2 ? "memory.max" : "memory.limit_in_bytes"), Long.toString(32L << 20));
            if (!CgroupFs.V2) Files.writeString(parent.resolve("memory.memsw.limit_in_bytes"), Long.toString(32L << 20));
            bundle.set("linux.cgroupsPath", "/" + name + "/ctr");
            bundle.shell("dd if=/dev/zero of=/dev/null bs=64M count=1; echo $?");
            assertEquals("137\n", runOk(), "the parent's 32 MiB did not hold a 64 MiB allocation");
            assertTrue(Files.isDirectory(parent), "the parent crema did not create was removed");
            assertFalse(Files.exists(parent.resolve("ctr")), "the container's own cgroup was left");
        } finally {
            Files.deleteIfExists(parent);
        }
    }

    /** The cgroup2 trees mounted: v2's root, or a hybrid host's unified tree; none on a pure v1 host. */
    private static List<Path> cgroup2Trees() {
        return CgroupFs.hierarchies().stream().filter(h -> Files.exists(h.resolve("cgroup.controllers"))).toList();
    }

    /** No tree but the test's own (mine, or null) holds a cgroup of that name: crema removed what it made. */
    private static void assertNoDirNamed(String name, Path mine) {
        for (Path h : CgroupFs.hierarchies()) {
            if (!h.equals(mine)) assertFalse(Files.exists(h.resolve(name)), "left behind in " + h);
        }
    }

    @Test
    void execJoinsEveryHierarchyOfTheInitTheUnifiedOneIncluded() throws Exception {
        String name = "crema-exec-" + ProcessHandle.current().pid();
        bundle.set("linux.cgroupsPath", "/" + name);
        String id = started("sleep 300");
        crema.run("exec", "--detach", "--pid-file", tmp.resolve("exec.pid").toString(), id, "sleep", "300").ok();
        String exec = Files.readString(tmp.resolve("exec.pid")).trim();
        List<String> init = Files.readAllLines(Path.of("/proc", Integer.toString(initPid(id)), "cgroup"));
        // a hybrid host's cgroup2 tree shows as "0::": the init is in the container's cgroup there too
        if (!cgroup2Trees().isEmpty()) assertTrue(init.contains("0::/" + name), "init: " + init);
        assertEquals(init, Files.readAllLines(Path.of("/proc", exec, "cgroup")), "the exec'd process's cgroups");
        crema.run("delete", "--force", id).ok();
        assertNoDirNamed(name, null);
    }

    /**
     * Two containers below a parent the first one made: deleting the first keeps the parent, which holds the
     * second's cgroup (cgroupfs answers EBUSY for it; delete failed on it after 2 s), and the second runs on in
     * its cgroup. The parent, the first's to remove, stays after the second's delete, as runc leaves parents.
     */
    @Test
    void deletingAContainerKeepsAParentAnotherOneStillUses() throws Exception {
        String name = "crema-shared-" + ProcessHandle.current().pid();
        try {
            String first = createdIn("/" + name + "/first");
            String second = createdIn("/" + name + "/second");
            crema.run("delete", "--force", first).ok();
            assertInitIn(second, hierarchy("memory").resolve(name + "/second"));
            crema.run("delete", "--force", second).ok();
            for (Path h : cgroupHierarchies()) {
                assertFalse(Files.exists(h.resolve(name + "/first")), "the first's cgroup is left in " + h);
                assertFalse(Files.exists(h.resolve(name + "/second")), "the second's cgroup is left in " + h);
            }
        } finally {
            for (Path h : cgroupHierarchies()) Files.deleteIfExists(h.resolve(name));
        }
    }

    @Test
    void createdParentsOfANestedCpusetGetTheirParentsCpusAndMems() throws Exception {
        assumeTrue(CgroupFs.v1Has("cpuset"), "no v1 cpuset hierarchy (a v2 cpuset with no cpus of its own uses its parent's)");
        Path cpuset = hierarchy("cpuset");
        String name = "crema-cpuset-" + ProcessHandle.current().pid();
        bundle.set("linux.cgroupsPath", "/" + name + "/a/b");
        String id = started("sleep 300");
        for (Path d : List.of(cpuset.resolve(name), cpuset.resolve(name + "/a"), cpuset.resolve(name + "/a/b"))) {
            for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                assertEquals(Files.readString(cpuset.resolve(f)).trim(), Files.readString(d.resolve(f)).trim(), d + "/" + f);
            }
        }
        assertInitIn(id, cpuset.resolve(name + "/a/b"));
        crema.run("delete", "--force", id).ok();
        assertNoDirNamed(name, null);
    }

    /** A cpuset with no cpus takes no process (ENOSPC), and one crema did not make is not crema's to fill. */
    @Test
    void anExistingCpusetWithoutCpusIsRefusedAndLeftAsItWas() throws Exception {
        assumeTrue(CgroupFs.v1Has("cpuset"), "no v1 cpuset hierarchy (a v2 cpuset with no cpus of its own uses its parent's)");
        String name = "crema-nocpus-" + ProcessHandle.current().pid();
        Path mine = Files.createDirectory(hierarchy("cpuset").resolve(name));
        try {
            assumeTrue(Files.readString(mine.resolve("cpuset.cpus")).isBlank(), "the host fills a new cpuset (clone_children)");
            bundle.set("linux.cgroupsPath", "/" + name + "/ctr");
            assertCreateFailsCleanly("linux.cgroupsPath: cgroup " + mine + " has no cpuset.cpus");
            assertEquals("", Files.readString(mine.resolve("cpuset.cpus")).trim(), "crema wrote to a cgroup it did not make");
            assertFalse(Files.exists(mine.resolve("ctr")), "the cgroup crema made was left");
            assertNoDirNamed(name, hierarchy("cpuset"));
        } finally {
            CgroupFs.remove(List.of(mine.resolve("ctr"), mine));
        }
    }

    /**
     * A frozen cgroup (v1 freezer.state, v2 or hybrid unified cgroup.freeze),
     * or one below a frozen parent, would hold the init stopped forever:
     * create refuses it at once, naming the cgroup, and leaves nothing.
     */
    @Test
    void aFrozenCgroupOrParentIsRefusedAtOnce() throws Exception {
        List<Path> trees = new ArrayList<>(cgroup2Trees());
        if (CgroupFs.v1Has("freezer")) trees.add(hierarchy("freezer"));
        assumeTrue(!trees.isEmpty(), "no freezer on this host");
        String name = "crema-frozen-" + ProcessHandle.current().pid();
        for (Path tree : trees) {
            Path frozen = Files.createDirectory(tree.resolve(name));
            try {
                setFrozen(frozen, true);
                for (String path : List.of("/" + name, "/" + name + "/ctr")) {
                    bundle.set("linux.cgroupsPath", path);
                    Path dir = tree.resolve(path.substring(1));
                    long start = System.nanoTime();
                    assertCreateFailsCleanly("linux.cgroupsPath: cgroup " + dir + " is frozen");
                    assertTrue(System.nanoTime() - start < 30_000_000_000L, "create took more than 30 s");
                    assertFalse(Files.exists(frozen.resolve("ctr")), "the cgroup crema made was left");
                    assertEquals(List.of(), Files.readAllLines(frozen.resolve("cgroup.procs")));
                    assertNoDirNamed(name, tree);
                }
            } finally {
                setFrozen(frozen, false);
                for (String left : ids) {
                    if (Files.exists(crema.root.resolve(left))) crema.run("delete", "--force", left);
                }
                CgroupFs.remove(List.of(frozen.resolve("ctr"), frozen));
            }
        }
    }

    private static void setFrozen(Path dir, boolean frozen) throws Exception {
        if (Files.exists(dir.resolve("freezer.state"))) Files.writeString(dir.resolve("freezer.state"), frozen ? "FROZEN" : "THAWED");
        else Files.writeString(dir.resolve("cgroup.freeze"), frozen ? "1" : "0");
    }
}

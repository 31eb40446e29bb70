package crema.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v1/hybrid manager against a fake /sys/fs/cgroup in a temp dir. */
class CgroupV1Test {
    @TempDir
    Path tmp;
    CgroupV1 v1;
    Path root;

    @BeforeEach
    void setUp() throws Exception {
        root = tmp.resolve("cgroup");
        for (String h : List.of("memory", "cpuset", "systemd", "unified")) Files.createDirectories(root.resolve(h));
        Files.createDirectories(root.resolve("memory/outer"));
        Files.writeString(root.resolve("cpuset/cpuset.cpus"), "0-1\n");
        Files.writeString(root.resolve("cpuset/cpuset.mems"), "0\n");
        Path mountinfo = Files.writeString(tmp.resolve("mountinfo"), String.join("\n",
                "30 25 0:26 / " + root.resolve("memory") + " rw,relatime shared:9 - cgroup cgroup rw,memory",
                "31 25 0:27 / " + root.resolve("cpuset") + " rw,relatime - cgroup cgroup rw,cpuset,clone_children",
                "32 25 0:28 / " + root.resolve("systemd") + " rw - cgroup cgroup rw,xattr,name=systemd",
                "33 25 0:29 / " + root.resolve("unified") + " rw - cgroup2 cgroup2 rw",
                "34 25 0:30 / /proc rw - proc proc rw", ""));
        Path self = Files.writeString(tmp.resolve("self-cgroup"),
                "4:memory:/outer\n3:cpuset:/\n2:name=systemd:/\n0::/\n");
        v1 = new CgroupV1(mountinfo, self);
    }

    @Test
    void findsEveryHierarchyInMountinfo() {
        assertEquals(List.of("memory", "cpuset", "name=systemd", ""),
                v1.hierarchies().stream().map(CgroupV1.Hierarchy::key).toList());
    }

    /** A bind of a cgroup below a hierarchy (a container's view of its own), or a second mount of one, is not it. */
    @Test
    void aMountOfACgroupBelowTheRootOrASecondMountIsNotTheHierarchy() throws Exception {
        Path mountinfo = Files.writeString(tmp.resolve("mountinfo2"), String.join("\n",
                "40 25 0:26 /ctr /tmp/rootfs/sys/fs/cgroup/memory ro - cgroup cgroup rw,memory",
                "30 25 0:26 / " + root.resolve("memory") + " rw,relatime shared:9 - cgroup cgroup rw,memory",
                "41 25 0:26 / /elsewhere/memory rw - cgroup cgroup rw,memory",
                "42 25 0:29 /ctr /tmp/rootfs/sys/fs/cgroup/unified ro - cgroup2 cgroup2 rw",
                "33 25 0:29 / " + root.resolve("unified") + " rw - cgroup2 cgroup2 rw", ""));
        List<CgroupV1.Hierarchy> found = new CgroupV1(mountinfo, tmp.resolve("self-cgroup")).hierarchies();
        assertEquals(List.of(new CgroupV1.Hierarchy("memory", root.resolve("memory")),
                new CgroupV1.Hierarchy("", root.resolve("unified"))), found);
    }

    @Test
    void absolutePathsHangFromEachRoot() {
        List<CgroupManager.Dir> dirs = v1.locate("/a/b", "id");
        assertEquals(new CgroupManager.Dir("memory", root.resolve("memory/a/b")), dirs.get(0));
        assertEquals(new CgroupManager.Dir("unified", root.resolve("unified/a/b")), dirs.get(3));
    }

    @Test
    void relativeAndEmptyPathsHangFromOurOwnCgroup() {
        assertEquals(root.resolve("memory/outer/rel"), v1.locate("rel", "id").get(0).path());
        assertEquals(root.resolve("memory/outer/id"), v1.locate("", "id").get(0).path());
        assertEquals(root.resolve("cpuset/id"), v1.locate(null, "id").get(1).path());
    }

    @Test
    void dotsCannotClimbOutOfTheHierarchy() {
        assertEquals(root.resolve("memory/etc"), v1.locate("/../../etc", "id").get(0).path());
    }

    @Test
    void createMakesOnlyMissingDirsAndCpusetInheritsItsParent() throws Exception {
        List<CgroupManager.Dir> dirs = v1.locate("/x/y", "id");
        List<Path> created = v1.create(dirs);
        assertTrue(created.contains(root.resolve("memory/x")));
        assertTrue(created.contains(root.resolve("memory/x/y")));
        // A real cpuset dir gets empty files from the kernel; emulate, then create again deeper.
        Files.writeString(root.resolve("cpuset/x/y/cpuset.cpus"), "");
        Files.writeString(root.resolve("cpuset/x/y/cpuset.mems"), "");
        Files.writeString(root.resolve("cpuset/x/cpuset.cpus"), "0-1");
        Files.writeString(root.resolve("cpuset/x/cpuset.mems"), "0");
        List<Path> deeper = v1.create(v1.locate("/x/y/z", "id"));
        assertFalse(deeper.contains(root.resolve("memory/x")), "existing dirs are not ours");
        v1.destroy(deeper);
        v1.destroy(created);
        assertFalse(Files.exists(root.resolve("memory/x")));
        assertTrue(Files.exists(root.resolve("memory/outer")), "never remove what we did not create");
    }

    @Test
    void anExistingCgroupWithAProcessBelowItIsRefusedAndKept() throws Exception {
        Path busy = Files.createDirectories(root.resolve("memory/busy/child"));
        Files.writeString(root.resolve("memory/busy/cgroup.procs"), "");
        Files.writeString(busy.resolve("cgroup.procs"), "4242\n");
        var e = assertThrows(crema.state.ContainerException.class, () -> v1.create(v1.locate("/busy", "id")));
        assertEquals("linux.cgroupsPath: cgroup " + root.resolve("memory/busy") + " is not empty: 1 process(es) in it or below it"
                + " (pid 4242); a container needs an empty cgroup", e.getMessage());
        assertTrue(Files.isDirectory(busy), "a cgroup crema did not make is never removed");
        for (String h : List.of("cpuset", "systemd", "unified")) {
            assertFalse(Files.exists(root.resolve(h).resolve("busy")), "the " + h + " dir this create made is gone again");
        }
    }

    @Test
    void anExistingCpusetWithoutCpusIsRefusedAndNotWritten() throws Exception {
        Path nocpus = Files.createDirectories(root.resolve("cpuset/nocpus"));
        Files.writeString(nocpus.resolve("cgroup.procs"), "");
        Files.writeString(nocpus.resolve("cpuset.cpus"), "\n");
        Files.writeString(nocpus.resolve("cpuset.mems"), "\n");
        var e = assertThrows(crema.state.ContainerException.class, () -> v1.create(v1.locate("/nocpus", "id")));
        assertTrue(e.getMessage().startsWith("linux.cgroupsPath: cgroup " + nocpus + " has no cpuset.cpus"), e.getMessage());
        assertEquals("\n", Files.readString(nocpus.resolve("cpuset.cpus")));
        assertFalse(Files.exists(root.resolve("memory/nocpus")), "the memory dir this create made is gone again");
    }

    @Test
    void aFrozenCgroupIsRefusedAndWhatCreateMadeIsRemoved() throws Exception {
        Path frozen = Files.createDirectories(root.resolve("unified/frozen"));
        Files.writeString(frozen.resolve("cgroup.procs"), "");
        Files.writeString(frozen.resolve("cgroup.events"), "populated 0\nfrozen 1\n");
        var e = assertThrows(crema.state.ContainerException.class, () -> v1.create(v1.locate("/frozen", "id")));
        assertTrue(e.getMessage().startsWith("linux.cgroupsPath: cgroup " + frozen + " is frozen (cgroup.events: frozen 1)"),
                e.getMessage());
        assertTrue(Files.isDirectory(frozen));
        for (String h : List.of("memory", "cpuset", "systemd")) assertFalse(Files.exists(root.resolve(h).resolve("frozen")), h);
    }

    @Test
    void anExistingEmptyCgroupIsUsedButNotCreated() throws Exception {
        Files.createDirectories(root.resolve("memory/empty/child"));
        Files.writeString(root.resolve("memory/empty/cgroup.procs"), "");
        Files.writeString(root.resolve("memory/empty/child/cgroup.procs"), "");
        List<Path> created = v1.create(v1.locate("/empty", "id"));
        assertFalse(created.contains(root.resolve("memory/empty")));
        assertTrue(created.contains(root.resolve("cpuset/empty")));
    }

    @Test
    void joinWritesThePid() throws Exception {
        List<CgroupManager.Dir> dirs = v1.locate("/j", "id");
        v1.create(dirs);
        v1.join(dirs.stream().map(CgroupManager.Dir::path).toList(), 1234);
        assertEquals("1234", Files.readString(root.resolve("memory/j/cgroup.procs")));
    }

    @Test
    void eachControllerFindsItsDirByTheLongestMountPrefix() {
        List<Path> dirs = v1.locate("/c", "id").stream().map(CgroupManager.Dir::path).toList();
        var byController = v1.controllerDirs(dirs);
        assertEquals(root.resolve("memory/c"), byController.get("memory"));
        assertEquals(root.resolve("cpuset/c"), byController.get("cpuset"));
        assertFalse(byController.containsKey(""), "the cgroup2 tree of a hybrid host has no v1 controller");
    }
}

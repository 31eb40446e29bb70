package crema.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v2 manager against a fake unified tree. */
class CgroupV2Test {
    @TempDir
    Path tmp;

    @Test
    void createPassesEveryControllerDownToTheContainer() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cgroup"));
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "cpu memory\n");
        Path self = Files.writeString(tmp.resolve("self"), "0::/\n");
        CgroupV2 v2 = new CgroupV2(root, self);
        List<CgroupManager.Dir> dirs = v2.locate("/a/b", "id");
        assertEquals(root.resolve("a/b"), dirs.get(0).path());
        assertEquals(List.of(root.resolve("a"), root.resolve("a/b")), v2.create(dirs));
        // Only the missing ones are added; "a" had no cgroup.controllers in the fake (the kernel would make one).
        assertEquals("+cpuset +io +pids", Files.readString(root.resolve("cgroup.subtree_control")));
    }

    @Test
    void anExistingCgroupWithAProcessIsRefusedAndKept() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cgroup"));
        Path busy = Files.createDirectories(root.resolve("busy"));
        Files.writeString(busy.resolve("cgroup.procs"), "4242\n");
        CgroupV2 v2 = new CgroupV2(root, Files.writeString(tmp.resolve("self"), "0::/\n"));
        var e = assertThrows(crema.state.ContainerException.class, () -> v2.create(v2.locate("/busy", "id")));
        assertTrue(e.getMessage().contains("cgroup " + busy + " is not empty"), e.getMessage());
        assertEquals("4242\n", Files.readString(busy.resolve("cgroup.procs")));
    }

    @Test
    void aFrozenCgroupIsRefused() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cgroup"));
        Path frozen = Files.createDirectories(root.resolve("frozen"));
        Files.writeString(frozen.resolve("cgroup.events"), "populated 0\nfrozen 1\n");
        Files.writeString(frozen.resolve("cgroup.procs"), "");
        CgroupV2 v2 = new CgroupV2(root, Files.writeString(tmp.resolve("self"), "0::/\n"));
        var e = assertThrows(crema.state.ContainerException.class, () -> v2.create(v2.locate("/frozen", "id")));
        assertTrue(e.getMessage().contains("cgroup " + frozen + " is frozen (cgroup.events: frozen 1)"), e.getMessage());
    }
}

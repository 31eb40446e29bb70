package crema.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.cgroups.CgroupManager;
import crema.state.ContainerException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CheckpointArgsTest {
    @Test
    void restoredProcessesGoIntoTheCgroupsRestoreMade() {
        assertEquals("/crema/c1", Restore.cgroupRoot(new CgroupManager.Dir("", Path.of("/sys/fs/cgroup/crema/c1"))));
        assertEquals("memory:/crema/c1", Restore.cgroupRoot(new CgroupManager.Dir("memory", Path.of("/sys/fs/cgroup/memory/crema/c1"))));
        assertEquals("cpu,cpuacct:/c1", Restore.cgroupRoot(new CgroupManager.Dir("cpu,cpuacct", Path.of("/sys/fs/cgroup/cpu,cpuacct/c1"))));
        assertEquals("name=systemd:/c1", Restore.cgroupRoot(new CgroupManager.Dir("systemd", Path.of("/sys/fs/cgroup/systemd/c1"))));
        assertNull(Restore.cgroupRoot(new CgroupManager.Dir("unified", Path.of("/sys/fs/cgroup/unified/c1"))));
    }

    @Test
    void runcsModesAndNamespacesAreCheckedByFlag() {
        assertEquals("full", CheckpointOptions.cgroupsMode("full"));
        assertNull(CheckpointOptions.cgroupsMode(null));
        ContainerException e = assertThrows(ContainerException.class, () -> CheckpointOptions.cgroupsMode("hard"));
        assertTrue(e.getMessage().startsWith("--manage-cgroups-mode: invalid value \"hard\""), e.getMessage());
        assertEquals("net", Checkpoint.emptyNs("network"));
        e = assertThrows(ContainerException.class, () -> Checkpoint.emptyNs("pid"));
        assertTrue(e.getMessage().startsWith("--empty-ns: "), e.getMessage());
    }
}

package crema.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.spec.BlockIo;
import crema.spec.Cpu;
import crema.spec.HugepageLimit;
import crema.spec.InterfacePriority;
import crema.spec.Memory;
import crema.spec.Network;
import crema.spec.Pids;
import crema.spec.Resources;
import crema.spec.ThrottleDevice;
import crema.spec.WeightDevice;
import crema.state.ContainerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** v1 writes against fake controller directories holding the files the kernel would. */
class V1ResourcesTest {
    @TempDir
    Path tmp;
    Map<String, Path> dirs = new HashMap<>();

    private void files(String controller, String... names) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(controller));
        dirs.put(controller, d);
        for (String n : names) Files.writeString(d.resolve(n), n.equals("cpu.shares") ? "1024" : "0");
    }

    @BeforeEach
    void hierarchy() throws IOException {
        files("memory", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes",
                "memory.kmem.tcp.limit_in_bytes", "memory.oom_control", "memory.swappiness", "memory.usage_in_bytes");
        files("cpu", "cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.cfs_burst_us", "cpu.rt_period_us",
                "cpu.rt_runtime_us", "cpu.idle");
        files("cpuset", "cpuset.cpus", "cpuset.mems");
        files("pids", "pids.max");
        files("blkio", "blkio.bfq.weight", "blkio.bfq.weight_device", "blkio.throttle.read_bps_device",
                "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device");
        files("hugetlb", "hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.rsvd.limit_in_bytes");
        files("net_cls", "net_cls.classid");
        files("net_prio", "net_prio.ifpriomap");
        files("devices", "devices.allow", "devices.deny");
    }

    private String read(String controller, String file) throws IOException {
        return Files.readString(dirs.get(controller).resolve(file));
    }

    private static Resources resources(Memory m, Cpu c, Pids p, BlockIo b, List<HugepageLimit> h, Network n) {
        return new Resources(null, m, c, p, b, h, n, null, null);
    }

    @Test
    void everyControllerGetsItsFiles() throws IOException {
        Resources r = resources(
                new Memory(64L << 20, 32L << 20, 128L << 20, null, 1L << 20, 10L, true, null, null),
                new Cpu(512L, 50_000L, 1000L, 100_000L, 950L, 1_000_000L, "0", "0", 1L),
                new Pids(42L),
                new BlockIo(300, null, List.of(new WeightDevice(8, 0, 200, null)),
                        List.of(new ThrottleDevice(8, 0, 1048576)), null, List.of(new ThrottleDevice(8, 16, 100)), null),
                List.of(new HugepageLimit("2MB", 4L << 20)),
                new Network(7L, List.of(new InterfacePriority("eth0", 5))));
        new V1Resources(dirs).apply(r, null, false);
        assertEquals(Long.toString(64L << 20), read("memory", "memory.limit_in_bytes"));
        assertEquals(Long.toString(128L << 20), read("memory", "memory.memsw.limit_in_bytes"));
        assertEquals(Long.toString(32L << 20), read("memory", "memory.soft_limit_in_bytes"));
        assertEquals(Long.toString(1L << 20), read("memory", "memory.kmem.tcp.limit_in_bytes"));
        assertEquals("1", read("memory", "memory.oom_control"));
        assertEquals("10", read("memory", "memory.swappiness"));
        assertEquals("512", read("cpu", "cpu.shares"));
        assertEquals("50000", read("cpu", "cpu.cfs_quota_us"));
        assertEquals("100000", read("cpu", "cpu.cfs_period_us"));
        assertEquals("1000", read("cpu", "cpu.cfs_burst_us"));
        assertEquals("950", read("cpu", "cpu.rt_runtime_us"));
        assertEquals("1000000", read("cpu", "cpu.rt_period_us"));
        assertEquals("1", read("cpu", "cpu.idle"));
        assertEquals("0", read("cpuset", "cpuset.cpus"));
        assertEquals("42", read("pids", "pids.max"));
        assertEquals("300", read("blkio", "blkio.bfq.weight"));
        assertEquals("8:0 200", read("blkio", "blkio.bfq.weight_device"));
        assertEquals("8:0 1048576", read("blkio", "blkio.throttle.read_bps_device"));
        assertEquals("8:16 100", read("blkio", "blkio.throttle.read_iops_device"));
        assertEquals(Long.toString(4L << 20), read("hugetlb", "hugetlb.2MB.limit_in_bytes"));
        assertEquals(Long.toString(4L << 20), read("hugetlb", "hugetlb.2MB.rsvd.limit_in_bytes"));
        assertEquals("7", read("net_cls", "net_cls.classid"));
        assertEquals("eth0 5", read("net_prio", "net_prio.ifpriomap"));
    }

    @Test
    void unsetValuesAreLeftAlone() throws IOException {
        Files.writeString(dirs.get("memory").resolve("memory.limit_in_bytes"), "777");
        new V1Resources(dirs).apply(resources(new Memory(null, 5L, null, null, null, null, null, null, null),
                new Cpu(null, 0L, null, null, null, null, null, null, null), new Pids(0L), null, null, null), null, false);
        assertEquals("777", read("memory", "memory.limit_in_bytes"));
        assertEquals("0", read("cpu", "cpu.cfs_quota_us"));
        assertEquals("max", read("pids", "pids.max"), "0 or less is no limit");
    }

    @Test
    void unlimitedMemoryMakesSwapUnlimitedToo() throws IOException {
        new V1Resources(dirs).apply(resources(new Memory(-1L, null, null, null, null, null, null, null, null),
                null, null, null, null, null), null, false);
        assertEquals("-1", read("memory", "memory.limit_in_bytes"));
        assertEquals("-1", read("memory", "memory.memsw.limit_in_bytes"));
    }

    @Test
    void withoutSwapAccountingAFiniteSwapIsRefused() throws IOException {
        Files.delete(dirs.get("memory").resolve("memory.memsw.limit_in_bytes"));
        var e = assertThrows(ContainerException.class, () -> new V1Resources(dirs).apply(resources(
                new Memory(64L, null, 128L, null, null, null, null, null, null), null, null, null, null, null), null, false));
        assertTrue(e.getMessage().startsWith("linux.resources.memory.swap: swap accounting is not enabled"), e.getMessage());
    }

    @Test
    void aWriteFailureNamesTheFieldTheValueAndTheFile() throws IOException {
        Files.delete(dirs.get("cpu").resolve("cpu.shares"));
        var e = assertThrows(ContainerException.class, () -> new V1Resources(dirs).apply(resources(null,
                new Cpu(10L, null, null, null, null, null, null, null, null), null, null, null, null), null, false));
        assertTrue(e.getMessage().startsWith("linux.resources.cpu.shares: write \"10\" to "), e.getMessage());
        assertTrue(e.getMessage().endsWith("cpu.shares: no such file or directory"), e.getMessage());
    }

    @Test
    void aMissingControllerOrPageSizeNamesTheField() {
        dirs.remove("net_cls");
        var e = assertThrows(ContainerException.class, () -> new V1Resources(dirs).apply(resources(null, null, null, null,
                null, new Network(3L, null)), null, false));
        assertEquals("linux.resources.network.classID: the net_cls cgroup controller is not mounted on this host", e.getMessage());
        e = assertThrows(ContainerException.class, () -> new V1Resources(dirs).apply(resources(null, null, null, null,
                List.of(new HugepageLimit("1GB", 1)), null), null, false));
        assertTrue(e.getMessage().startsWith("linux.resources.hugepageLimits[0].pageSize: this host has no 1GB huge pages"), e.getMessage());
    }

    @Test
    void unifiedIsRefusedOnV1() {
        Resources r = new Resources(null, null, null, null, null, null, null, null, Map.of("memory.high", "1"));
        var e = assertThrows(ContainerException.class, () -> new V1Resources(dirs).apply(r, null, false));
        assertEquals("linux.resources.unified: cannot use unified on cgroup v1", e.getMessage());
    }

    @Test
    void checkBeforeUpdateRefusesALimitBelowUsage() throws IOException {
        Files.writeString(dirs.get("memory").resolve("memory.usage_in_bytes"), "5000");
        Memory m = new Memory(4096L, null, null, null, null, null, null, null, true);
        var e = assertThrows(ContainerException.class,
                () -> new V1Resources(dirs).apply(resources(m, null, null, null, null, null), null, true));
        assertEquals("linux.resources.memory.limit: rejecting memory limit 4096 <= usage 5000", e.getMessage());
    }

    @Test
    void deviceRulesEndWithTheLastRuleWritten() throws IOException {
        new V1Resources(dirs).apply(null, List.of(new DeviceRule(true, 'c', 1, 3, "rwm")), false);
        assertEquals("a", read("devices", "devices.deny"), "deny-all first");
        assertEquals("c 1:3 rwm", read("devices", "devices.allow"));
    }
}

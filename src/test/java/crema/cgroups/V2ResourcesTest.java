package crema.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.spec.BlockIo;
import crema.spec.Cpu;
import crema.spec.HugepageLimit;
import crema.spec.Memory;
import crema.spec.Pids;
import crema.spec.Rdma;
import crema.spec.Resources;
import crema.spec.ThrottleDevice;
import crema.state.ContainerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** v2 writes and runc's conversions, against a fake container directory. */
class V2ResourcesTest {
    @TempDir
    Path dir;

    @BeforeEach
    void files() throws IOException {
        for (String f : List.of("memory.max", "memory.swap.max", "memory.low", "memory.current", "pids.max",
                "cpu.weight", "cpu.idle", "cpu.max.burst", "io.weight", "io.max", "cpuset.cpus", "cpuset.mems",
                "hugetlb.2MB.max", "rdma.max", "memory.high")) {
            Files.writeString(dir.resolve(f), "0");
        }
        Files.writeString(dir.resolve("cpu.max"), "max 100000");
    }

    private String read(String file) throws IOException {
        return Files.readString(dir.resolve(file));
    }

    private void apply(Resources r, boolean update) {
        new V2Resources(dir).apply(r, update);
    }

    @Test
    void v1ValuesAreConverted() throws IOException {
        apply(new Resources(null, new Memory(64L << 20, 16L << 20, 96L << 20, null, null, 60L, true, null, null),
                new Cpu(1024L, 50_000L, null, null, null, null, "0-1", "0", null), new Pids(-1L),
                new BlockIo(1000, null, null, null, List.of(new ThrottleDevice(8, 0, 4096)), null, null),
                List.of(new HugepageLimit("2MB", 2L << 20)), null, Map.of("mlx5_0", new Rdma(3L, null)), null), false);
        assertEquals(Long.toString(64L << 20), read("memory.max"));
        assertEquals(Long.toString(32L << 20), read("memory.swap.max"), "memory+swap 96M less memory 64M");
        assertEquals(Long.toString(16L << 20), read("memory.low"));
        assertEquals("max", read("pids.max"));
        assertEquals("100", read("cpu.weight"));
        assertEquals("50000 100000", read("cpu.max"), "the period in force is kept");
        assertEquals("10000", read("io.weight"));
        assertEquals("8:0 wbps=4096", read("io.max"));
        assertEquals("0-1", read("cpuset.cpus"));
        assertEquals(Long.toString(2L << 20), read("hugetlb.2MB.max"));
        assertEquals("mlx5_0 hca_handle=3", read("rdma.max"));
    }

    @Test
    void swapEqualToMemoryMeansNoSwap() throws IOException {
        apply(new Resources(null, new Memory(64L, null, 64L, null, null, null, null, null, null), null, null, null,
                null, null, null, null), false);
        assertEquals("0", read("memory.swap.max"));
    }

    @Test
    void anUpdateOfSwapAloneIsRelativeToTheLimitInForce() throws IOException {
        Files.writeString(dir.resolve("memory.max"), "1000");
        apply(new Resources(null, new Memory(null, null, 3000L, null, null, null, null, null, null), null, null, null,
                null, null, null, null), true);
        assertEquals("2000", read("memory.swap.max"));
        Files.writeString(dir.resolve("memory.max"), "max");
        var e = assertThrows(ContainerException.class, () -> apply(new Resources(null,
                new Memory(null, null, 3000L, null, null, null, null, null, null), null, null, null, null, null, null, null), true));
        assertEquals("linux.resources.memory.swap: unable to set swap limit without memory limit", e.getMessage());
    }

    @Test
    void aPeriodAloneKeepsTheQuota() throws IOException {
        Files.writeString(dir.resolve("cpu.max"), "20000 100000");
        apply(new Resources(null, null, new Cpu(null, null, null, 50_000L, null, null, null, null, null), null, null,
                null, null, null, null), true);
        assertEquals("20000 50000", read("cpu.max"));
        apply(new Resources(null, null, new Cpu(null, -1L, null, null, null, null, null, null, null), null, null,
                null, null, null, null), true);
        assertEquals("max 50000", read("cpu.max"));
    }

    @Test
    void unifiedValuesAreWrittenLastAndLineByLine() throws IOException {
        apply(new Resources(null, new Memory(100L, null, null, null, null, null, null, null, null), null, null, null,
                null, null, null, Map.of("memory.high", "50", "memory.max", "200")), false);
        assertEquals("50", read("memory.high"));
        assertEquals("200", read("memory.max"), "unified overrides the typed field");
        var e = assertThrows(ContainerException.class, () -> apply(new Resources(null, null, null, null, null, null,
                null, null, Map.of("misc.max", "x 1")), false));
        assertTrue(e.getMessage().startsWith("linux.resources.unified.misc.max: can't be set: no "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(is the misc controller available?)"), e.getMessage());
    }

    @Test
    void fieldsV2HasNoFileForAreIgnored() throws IOException {
        apply(new Resources(null, new Memory(null, null, null, null, 5L, 10L, true, null, null),
                new Cpu(null, null, null, null, 100L, 1000L, null, null, null), null, null, null,
                new crema.spec.Network(5L, null), null, null), false);
        assertEquals("0", read("memory.max"));
    }
}

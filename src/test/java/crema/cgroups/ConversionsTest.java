package crema.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import crema.spec.Rdma;
import crema.state.ContainerException;
import org.junit.jupiter.api.Test;

/** runc's v1 → v2 conversions. */
class ConversionsTest {

    @Test
    void cpuSharesMapToWeightsWithTheDefaultsMatching() {
        assertEquals(0, Conversions.cpuWeight(0));
        assertEquals(1, Conversions.cpuWeight(2));
        assertEquals(100, Conversions.cpuWeight(1024));
        assertEquals(10000, Conversions.cpuWeight(262144));
        assertEquals(10000, Conversions.cpuWeight(1 << 20), "clamped");
        assertEquals(59, Conversions.cpuWeight(512));
        assertEquals(174, Conversions.cpuWeight(2048));
    }

    @Test
    void blkioWeightsScaleLinearly() {
        assertEquals(0, Conversions.ioWeight(0));
        assertEquals(1, Conversions.ioWeight(10));
        assertEquals(10000, Conversions.ioWeight(1000));
        assertEquals(4950, Conversions.ioWeight(500));
    }

    @Test
    void swapBecomesTheSwapAloneOnV2() {
        assertEquals(64, Conversions.swapMax(128, 64, "f"));
        assertEquals(0, Conversions.swapMax(64, 64, "f"), "swap equal to memory: no swap");
        assertEquals(-1, Conversions.swapMax(-1, 64, "f"));
        assertEquals(0, Conversions.swapMax(0, 64, "f"), "unset stays unset");
        assertEquals(-1, Conversions.swapMax(0, -1, "f"), "unlimited memory, swap not given: unlimited too");
        assertEquals("f: unable to set swap limit without memory limit",
                assertThrows(ContainerException.class, () -> Conversions.swapMax(64, 0, "f")).getMessage());
        assertEquals("f: memory+swap limit should be >= memory limit",
                assertThrows(ContainerException.class, () -> Conversions.swapMax(32, 64, "f")).getMessage());
    }

    @Test
    void rdmaLinesLeaveOutAbsentLimits() {
        assertEquals("mlx4_0 hca_handle=2 hca_object=2000", Conversions.rdmaLine("mlx4_0", new Rdma(2L, 2000L)));
        assertEquals("mlx4_0 hca_object=5", Conversions.rdmaLine("mlx4_0", new Rdma(null, 5L)));
    }
}

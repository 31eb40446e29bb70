package crema.cgroups;

import crema.spec.Rdma;

/**
 * The v1 → v2 value conversions runc applies, so one config.json means the
 * same on both versions; and value formats both versions share.
 */
final class Conversions {
    private Conversions() {}

    /**
     * cpu.shares [2, 262144] (default 1024) to cpu.weight [1, 10000] (default
     * 100): the curve through (2, 1), (1024, 100) and (262144, 10000) that is
     * quadratic in log2(shares), so the defaults map to each other. 0: unset.
     */
    static long cpuWeight(long shares) {
        if (shares == 0) return 0;
        if (Long.compareUnsigned(shares, 2) <= 0) return 1;
        if (Long.compareUnsigned(shares, 262144) >= 0) return 10000;
        // Exact for powers of two, so 1024 lands on 100 and not a rounding error above it.
        double l = Long.bitCount(shares) == 1 ? 63 - Long.numberOfLeadingZeros(shares) : Math.log(shares) / Math.log(2);
        double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
        return (long) Math.ceil(Math.pow(10, exponent));
    }

    /** blkio.weight [10, 1000] to io.weight [1, 10000], linearly. 0: unset. */
    static long ioWeight(int blkioWeight) {
        if (blkioWeight == 0) return 0;
        return 1 + ((long) blkioWeight - 10) * 9999 / 990;
    }

    /**
     * v1's memory.memsw (memory + swap) to v2's memory.swap.max (swap alone).
     * 0 is unset and -1 unlimited, as in the spec.
     */
    static long swapMax(long swap, long memory, String field) {
        if (memory == -1 && swap == 0) return -1; // unlimited memory, swap not given: unlimited both, as on v1
        if (swap == -1 || swap == 0) return swap;
        if (memory == 0 || memory == -1) {
            throw new crema.state.ContainerException(field + ": unable to set swap limit without memory limit");
        }
        if (swap < memory) throw new crema.state.ContainerException(field + ": memory+swap limit should be >= memory limit");
        return swap - memory;
    }

    /** A v2 limit file value: -1 is "max". */
    static String limit(long v) {
        return v == -1 ? "max" : Long.toString(v);
    }

    /** An rdma.max line: "mlx4_0 hca_handle=2 hca_object=2000"; an absent limit is left out. */
    static String rdmaLine(String device, Rdma r) {
        StringBuilder b = new StringBuilder(device);
        if (r.hcaHandles() != null) b.append(" hca_handle=").append(r.hcaHandles());
        if (r.hcaObjects() != null) b.append(" hca_object=").append(r.hcaObjects());
        return b.toString();
    }
}

package crema.cgroups;

import java.util.List;
import java.util.Map;

/**
 * What `events` reports of a cgroup, shaped as runc's events JSON (see
 * {@link StatsJson}). Counters are uint64 held in a long: -1 is the largest
 * value ("max", unlimited).
 */
public record CgroupStats(Cpu cpu, CpuSet cpuset, Memory memory, Pids pids, Blkio blkio, Map<String, Hugetlb> hugetlb) {

    /** Times in nanoseconds. */
    public record Cpu(long total, List<Long> percpu, List<Long> percpuKernel, List<Long> percpuUser, long kernel,
            long user, long periods, long throttledPeriods, long throttledTime) {}

    public record CpuSet(List<Integer> cpus, List<Integer> mems, Map<String, Long> flags) {}

    public record MemoryEntry(long limit, long usage, long max, long failcnt) {
        static final MemoryEntry NONE = new MemoryEntry(0, 0, 0, 0);
    }

    public record Memory(long cache, MemoryEntry usage, MemoryEntry swap, MemoryEntry kernel, MemoryEntry kernelTCP,
            Map<String, Long> raw) {}

    public record Pids(long current, long limit) {}

    public record BlkioEntry(long major, long minor, String op, long value) {}

    public record Blkio(List<BlkioEntry> ioServiceBytesRecursive, List<BlkioEntry> ioServicedRecursive) {}

    public record Hugetlb(long usage, long max, long failcnt) {}

    static final Cpu NO_CPU = new Cpu(0, List.of(), List.of(), List.of(), 0, 0, 0, 0, 0);
    static final CpuSet NO_CPUSET = new CpuSet(List.of(), List.of(), Map.of());
    static final Memory NO_MEMORY = new Memory(0, MemoryEntry.NONE, MemoryEntry.NONE, MemoryEntry.NONE, MemoryEntry.NONE, Map.of());
    static final Blkio NO_BLKIO = new Blkio(List.of(), List.of());

    /** No cgroup to measure: every number zero. */
    static CgroupStats empty() {
        return new CgroupStats(NO_CPU, NO_CPUSET, NO_MEMORY, new Pids(0, 0), NO_BLKIO, Map.of());
    }

    /** "0-2,5" → [0, 1, 2, 5]. */
    static List<Integer> cpuList(String list) {
        List<Integer> out = new java.util.ArrayList<>();
        for (String part : list.trim().split(",")) {
            if (part.isEmpty()) continue;
            int dash = part.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
            for (int i = from; i <= to; i++) out.add(i);
        }
        return out;
    }
}

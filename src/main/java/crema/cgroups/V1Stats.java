package crema.cgroups;

import static crema.cgroups.CgroupFiles.readNumber;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads a container's v1 controllers into {@link CgroupStats}; a missing controller reads as zeros. */
final class V1Stats {
    /** cpuacct.stat counts USER_HZ ticks (100 a second on every Linux runc knows). */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private V1Stats() {}

    static CgroupStats read(Map<String, Path> dirs) {
        return new CgroupStats(cpu(dirs.get("cpuacct"), dirs.get("cpu")), cpuset(dirs.get("cpuset")),
                memory(dirs.get("memory")), pids(dirs.get("pids")), blkio(dirs.get("blkio")), hugetlb(dirs.get("hugetlb")));
    }

    private static CgroupStats.Cpu cpu(Path acct, Path cpu) {
        if (acct == null && cpu == null) return CgroupStats.NO_CPU;
        Map<String, Long> ticks = acct == null ? Map.of() : CgroupFiles.keyValues(acct.resolve("cpuacct.stat"));
        Map<String, Long> throttle = cpu == null ? Map.of() : CgroupFiles.keyValues(cpu.resolve("cpu.stat"));
        return new CgroupStats.Cpu(acct == null ? 0 : readNumber(acct.resolve("cpuacct.usage")),
                numbers(acct, "cpuacct.usage_percpu"), numbers(acct, "cpuacct.usage_percpu_sys"),
                numbers(acct, "cpuacct.usage_percpu_user"),
                ticks.getOrDefault("system", 0L) * NANOS_PER_TICK, ticks.getOrDefault("user", 0L) * NANOS_PER_TICK,
                throttle.getOrDefault("nr_periods", 0L), throttle.getOrDefault("nr_throttled", 0L),
                throttle.getOrDefault("throttled_time", 0L));
    }

    /** A file of space-separated numbers, such as cpuacct.usage_percpu. */
    private static List<Long> numbers(Path dir, String file) {
        List<Long> out = new ArrayList<>();
        if (dir == null || !Files.exists(dir.resolve(file))) return out;
        for (String n : CgroupFiles.read(dir.resolve(file)).split("\\s+")) {
            if (!n.isEmpty()) out.add(Long.parseUnsignedLong(n));
        }
        return out;
    }

    private static CgroupStats.CpuSet cpuset(Path d) {
        if (d == null) return CgroupStats.NO_CPUSET;
        Map<String, Long> flags = new LinkedHashMap<>();
        for (String f : List.of("cpu_exclusive", "mem_hardwall", "mem_exclusive", "memory_migrate", "memory_spread_page",
                "memory_spread_slab", "memory_pressure", "sched_load_balance", "sched_relax_domain_level")) {
            flags.put(f, readNumber(d.resolve("cpuset." + f)));
        }
        return new CgroupStats.CpuSet(CgroupStats.cpuList(CgroupFiles.read(d.resolve("cpuset.cpus"))),
                CgroupStats.cpuList(CgroupFiles.read(d.resolve("cpuset.mems"))), flags);
    }

    private static CgroupStats.Memory memory(Path d) {
        if (d == null) return CgroupStats.NO_MEMORY;
        Map<String, Long> raw = CgroupFiles.keyValues(d.resolve("memory.stat"));
        return new CgroupStats.Memory(raw.getOrDefault("cache", 0L), entry(d, "memory"), entry(d, "memory.memsw"),
                entry(d, "memory.kmem"), entry(d, "memory.kmem.tcp"), raw);
    }

    private static CgroupStats.MemoryEntry entry(Path d, String prefix) {
        if (!Files.exists(d.resolve(prefix + ".usage_in_bytes"))) return CgroupStats.MemoryEntry.NONE;
        return new CgroupStats.MemoryEntry(readNumber(d.resolve(prefix + ".limit_in_bytes")),
                readNumber(d.resolve(prefix + ".usage_in_bytes")), readNumber(d.resolve(prefix + ".max_usage_in_bytes")),
                readNumber(d.resolve(prefix + ".failcnt")));
    }

    private static CgroupStats.Pids pids(Path d) {
        if (d == null) return new CgroupStats.Pids(0, 0);
        long max = readNumber(d.resolve("pids.max"));
        return new CgroupStats.Pids(readNumber(d.resolve("pids.current")), max == -1 ? 0 : max);
    }

    /** BFQ's counters when present, else the throttle layer's (which sees every I/O). */
    private static CgroupStats.Blkio blkio(Path d) {
        if (d == null) return CgroupStats.NO_BLKIO;
        String prefix = Files.exists(d.resolve("blkio.bfq.io_service_bytes_recursive")) ? "blkio.bfq." : "blkio.throttle.";
        return new CgroupStats.Blkio(blkioEntries(d.resolve(prefix + "io_service_bytes_recursive")),
                blkioEntries(d.resolve(prefix + "io_serviced_recursive")));
    }

    /** "8:0 Read 4096" lines; the "Total" line is left out, as runc does. */
    private static List<CgroupStats.BlkioEntry> blkioEntries(Path file) {
        List<CgroupStats.BlkioEntry> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : CgroupFiles.read(file).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3 || !f[0].contains(":")) continue;
            String[] mm = f[0].split(":");
            out.add(new CgroupStats.BlkioEntry(Long.parseLong(mm[0]), Long.parseLong(mm[1]), f[1], Long.parseUnsignedLong(f[2])));
        }
        return out;
    }

    private static Map<String, CgroupStats.Hugetlb> hugetlb(Path d) {
        Map<String, CgroupStats.Hugetlb> out = new TreeMap<>();
        if (d == null) return out;
        for (String size : CgroupFiles.pageSizes(d, ".limit_in_bytes")) {
            String p = "hugetlb." + size;
            out.put(size, new CgroupStats.Hugetlb(readNumber(d.resolve(p + ".usage_in_bytes")),
                    readNumber(d.resolve(p + ".max_usage_in_bytes")), readNumber(d.resolve(p + ".failcnt"))));
        }
        return out;
    }
}

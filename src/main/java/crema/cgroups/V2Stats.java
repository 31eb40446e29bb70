package crema.cgroups;

import static crema.cgroups.CgroupFiles.readNumber;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads a container's v2 directory into {@link CgroupStats}, in the v1 terms runc reports. */
final class V2Stats {
    private V2Stats() {}

    static CgroupStats read(Path d) {
        Map<String, Long> cpu = CgroupFiles.keyValues(d.resolve("cpu.stat"));
        CgroupStats.Cpu c = new CgroupStats.Cpu(cpu.getOrDefault("usage_usec", 0L) * 1000, List.of(), List.of(), List.of(),
                cpu.getOrDefault("system_usec", 0L) * 1000, cpu.getOrDefault("user_usec", 0L) * 1000,
                cpu.getOrDefault("nr_periods", 0L), cpu.getOrDefault("nr_throttled", 0L),
                cpu.getOrDefault("throttled_usec", 0L) * 1000);
        CgroupStats.CpuSet cpuset = new CgroupStats.CpuSet(list(d.resolve("cpuset.cpus.effective")),
                list(d.resolve("cpuset.mems.effective")), Map.of());
        long pidsMax = readNumber(d.resolve("pids.max"));
        return new CgroupStats(c, cpuset, memory(d), new CgroupStats.Pids(readNumber(d.resolve("pids.current")),
                pidsMax == -1 ? 0 : pidsMax), io(d), hugetlb(d));
    }

    private static List<Integer> list(Path file) {
        return Files.exists(file) ? CgroupStats.cpuList(CgroupFiles.read(file)) : List.of();
    }

    /** "swap" is memory + swap, as v1 reports it. */
    private static CgroupStats.Memory memory(Path d) {
        if (!Files.exists(d.resolve("memory.current"))) return CgroupStats.NO_MEMORY;
        Map<String, Long> raw = CgroupFiles.keyValues(d.resolve("memory.stat"));
        long usage = readNumber(d.resolve("memory.current")), limit = readNumber(d.resolve("memory.max"));
        CgroupStats.MemoryEntry mem = new CgroupStats.MemoryEntry(limit, usage, readNumber(d.resolve("memory.peak")), 0);
        CgroupStats.MemoryEntry swap = CgroupStats.MemoryEntry.NONE;
        if (Files.exists(d.resolve("memory.swap.current"))) {
            long swapLimit = readNumber(d.resolve("memory.swap.max"));
            swap = new CgroupStats.MemoryEntry(swapLimit == -1 || limit == -1 ? -1 : swapLimit + limit,
                    readNumber(d.resolve("memory.swap.current")) + usage, 0, 0);
        }
        return new CgroupStats.Memory(raw.getOrDefault("file", 0L), mem, swap, CgroupStats.MemoryEntry.NONE,
                CgroupStats.MemoryEntry.NONE, raw);
    }

    /** io.stat's "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." as v1's Read/Write entries. */
    private static CgroupStats.Blkio io(Path d) {
        List<CgroupStats.BlkioEntry> bytes = new ArrayList<>(), ios = new ArrayList<>();
        if (!Files.exists(d.resolve("io.stat"))) return CgroupStats.NO_BLKIO;
        for (String line : CgroupFiles.read(d.resolve("io.stat")).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 2 || !f[0].contains(":")) continue;
            String[] mm = f[0].split(":");
            long major = Long.parseLong(mm[0]), minor = Long.parseLong(mm[1]);
            for (int i = 1; i < f.length; i++) {
                String[] kv = f[i].split("=", 2);
                if (kv.length != 2) continue;
                long v = Long.parseUnsignedLong(kv[1]);
                switch (kv[0]) {
                    case "rbytes" -> bytes.add(new CgroupStats.BlkioEntry(major, minor, "Read", v));
                    case "wbytes" -> bytes.add(new CgroupStats.BlkioEntry(major, minor, "Write", v));
                    case "dbytes" -> bytes.add(new CgroupStats.BlkioEntry(major, minor, "Discard", v));
                    case "rios" -> ios.add(new CgroupStats.BlkioEntry(major, minor, "Read", v));
                    case "wios" -> ios.add(new CgroupStats.BlkioEntry(major, minor, "Write", v));
                    case "dios" -> ios.add(new CgroupStats.BlkioEntry(major, minor, "Discard", v));
                    default -> {}
                }
            }
        }
        return new CgroupStats.Blkio(bytes, ios);
    }

    private static Map<String, CgroupStats.Hugetlb> hugetlb(Path d) {
        Map<String, CgroupStats.Hugetlb> out = new TreeMap<>();
        for (String size : CgroupFiles.pageSizes(d, ".max")) {
            String p = "hugetlb." + size;
            out.put(size, new CgroupStats.Hugetlb(readNumber(d.resolve(p + ".current")), 0,
                    CgroupFiles.keyValues(d.resolve(p + ".events")).getOrDefault("max", 0L)));
        }
        return out;
    }
}

package crema.cgroups;

import crema.spec.Cpu;
import crema.spec.Memory;
import crema.spec.Resources;
import crema.state.ContainerException;
import crema.sys.SystemdBus.Pair;
import crema.sys.SystemdBus.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * linux.resources as the unit properties runc gives systemd for them, so
 * systemd keeps the limits (a daemon-reload re-applies its own). The driver
 * also writes every field to the cgroup files, as runc does: what has no
 * property here (swappiness, hugetlb, throttles, unified files other than
 * cpu, cpuset, memory and pids limits, ...) is set only there. Version-gated properties are left out below the systemd that knows
 * them.
 */
final class SystemdProperties {
    static final long INFINITY = -1L; // uint64 max: systemd's "infinity"
    static final String ANNOTATION_PREFIX = "org.systemd.property.";
    private static final long DEFAULT_CPU_PERIOD = 100_000;

    private SystemdProperties() {}

    /** What StartTransientUnit gets besides the resources: placement, delegation, accounting, the first pid. */
    static List<Property> unit(SystemdUnitName name, String id, boolean unified, int pid) {
        List<Property> p = new ArrayList<>();
        p.add(new Property("Description", "s", "crema container " + id));
        if (name.isScope()) {
            p.add(new Property("Slice", "s", name.slice()));
            p.add(new Property("PIDs", "au", new int[] {pid}));
        } else {
            p.add(new Property("Wants", "s", name.slice()));
        }
        // The container's own processes may make cgroups below its unit (nested runtimes, systemd in it).
        p.add(new Property("Delegate", "b", true));
        p.add(new Property("DefaultDependencies", "b", false));
        p.add(new Property("MemoryAccounting", "b", true));
        p.add(new Property("CPUAccounting", "b", true));
        p.add(new Property(unified ? "IOAccounting" : "BlockIOAccounting", "b", true));
        p.add(new Property("TasksAccounting", "b", true));
        return p;
    }

    /** The resource properties; devices null (update) leaves the device policy alone, as runc's update does. */
    static List<Property> resources(Resources r, List<DeviceRule> devices, boolean unified, int systemdVersion) {
        List<Property> p = new ArrayList<>();
        if (devices != null) p.addAll(devices(devices, hostDrivers()));
        if (r == null) return p;
        if (r.memory() != null) memory(r.memory(), unified, p);
        if (r.cpu() != null) cpu(r.cpu(), unified, systemdVersion, p);
        if (r.pids() != null && r.pids().limit() != null && r.pids().limit() != 0) {
            long limit = r.pids().limit();
            p.add(new Property("TasksMax", "t", limit > 0 ? limit : INFINITY));
        }
        if (r.blockIO() != null && r.blockIO().weight() != null && r.blockIO().weight() != 0) {
            int w = r.blockIO().weight();
            p.add(unified ? new Property("IOWeight", "t", Conversions.ioWeight(w)) : new Property("BlockIOWeight", "t", (long) w));
        }
        if (unified && r.unified() != null) unifiedFiles(r.unified(), systemdVersion, p);
        return p;
    }

    /** The v2 files of linux.resources.unified that systemd has a property for; each wins over the field it overlaps. */
    private static void unifiedFiles(Map<String, String> files, int version, List<Property> p) {
        for (Map.Entry<String, String> e : files.entrySet()) {
            String v = e.getValue().trim();
            String field = ResourcesCheck.ROOT + ".unified." + e.getKey();
            List<Property> add = switch (e.getKey()) {
                case "memory.max" -> List.of(new Property("MemoryMax", "t", limit(v, field)));
                case "memory.high" -> List.of(new Property("MemoryHigh", "t", limit(v, field)));
                case "memory.low" -> List.of(new Property("MemoryLow", "t", limit(v, field)));
                case "memory.min" -> List.of(new Property("MemoryMin", "t", limit(v, field)));
                case "memory.swap.max" -> List.of(new Property("MemorySwapMax", "t", limit(v, field)));
                case "pids.max" -> List.of(new Property("TasksMax", "t", limit(v, field)));
                case "cpu.weight" -> List.of(new Property("CPUWeight", "t", number(v, field)));
                case "cpu.max" -> cpuMax(v, field, version);
                case "cpuset.cpus" -> version >= 244 ? List.of(new Property("AllowedCPUs", "ay", bitmask(v, field))) : List.of();
                case "cpuset.mems" -> version >= 244 ? List.of(new Property("AllowedMemoryNodes", "ay", bitmask(v, field))) : List.of();
                default -> List.of();
            };
            for (Property a : add) {
                p.removeIf(q -> q.name().equals(a.name()));
                p.add(a);
            }
        }
    }

    /** cpu.max: "QUOTA PERIOD", "max PERIOD", "QUOTA" or "max". */
    private static List<Property> cpuMax(String v, String field, int version) {
        String[] parts = v.split("\\s+");
        if (parts.length > 2) throw new ContainerException(field + ": \"" + v + "\" is not \"QUOTA [PERIOD]\"");
        long period = parts.length == 2 ? number(parts[1], field) : 0;
        long quota = parts[0].equals("max") ? -1 : number(parts[0], field);
        List<Property> p = new ArrayList<>();
        if (period != 0 && version >= 242) p.add(new Property("CPUQuotaPeriodUSec", "t", period));
        p.add(new Property("CPUQuotaPerSecUSec", "t", quotaPerSecond(quota, period)));
        return p;
    }

    /** A limit file's value: a number of bytes or tasks, or "max". */
    private static long limit(String v, String field) {
        return v.equals("max") ? INFINITY : number(v, field);
    }

    private static long number(String v, String field) {
        try {
            long n = Long.parseLong(v);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new ContainerException(field + ": \"" + v + "\" is not a number");
        }
    }

    private static void memory(Memory m, boolean unified, List<Property> p) {
        long limit = m.limit() == null ? 0 : m.limit();
        if (limit != 0) p.add(new Property(unified ? "MemoryMax" : "MemoryLimit", "t", limit == -1 ? INFINITY : limit));
        if (!unified) return;
        if (m.reservation() != null && m.reservation() != 0) {
            p.add(new Property("MemoryLow", "t", m.reservation() == -1 ? INFINITY : m.reservation()));
        }
        long swap = m.swap() == null ? 0 : m.swap();
        if (swap != 0) {
            long v2 = Conversions.swapMax(swap, limit, ResourcesCheck.ROOT + ".memory.swap");
            p.add(new Property("MemorySwapMax", "t", v2 == -1 ? INFINITY : v2));
        }
    }

    private static void cpu(Cpu c, boolean unified, int version, List<Property> p) {
        if (c.shares() != null && c.shares() != 0) {
            p.add(unified ? new Property("CPUWeight", "t", Conversions.cpuWeight(c.shares())) : new Property("CPUShares", "t", c.shares()));
        }
        long quota = c.quota() == null ? 0 : c.quota();
        long period = c.period() == null ? 0 : c.period();
        if (period != 0 && version >= 242) p.add(new Property("CPUQuotaPeriodUSec", "t", period));
        if (quota != 0 || period != 0) p.add(new Property("CPUQuotaPerSecUSec", "t", quotaPerSecond(quota, period)));
        // cpuset is a v2 property of systemd (244); on v1 only the files hold it
        if (unified && version >= 244) {
            if (c.cpus() != null && !c.cpus().isEmpty()) p.add(new Property("AllowedCPUs", "ay", bitmask(c.cpus(), ResourcesCheck.ROOT + ".cpu.cpus")));
            if (c.mems() != null && !c.mems().isEmpty()) p.add(new Property("AllowedMemoryNodes", "ay", bitmask(c.mems(), ResourcesCheck.ROOT + ".cpu.mems")));
        }
    }

    /** A quota per period (none: -1 or 0; a period of 0 is the kernel's default) as CPU time per second. */
    private static long quotaPerSecond(long quota, long period) {
        if (quota <= 0) return INFINITY;
        long perSec = quota * 1_000_000 / (period == 0 ? DEFAULT_CPU_PERIOD : period);
        // systemd keeps CPUQuota in whole percents (10 ms per second): round up, never below the asked quota
        return perSec % 10_000 == 0 ? perSec : (perSec / 10_000 + 1) * 10_000;
    }

    /** "0-2,5" as systemd's CPU set: bit n of byte n/8. */
    static byte[] bitmask(String list, String field) {
        int max = -1;
        List<int[]> ranges = new ArrayList<>();
        for (String part : list.trim().split(",")) {
            String[] ends = part.trim().split("-", -1);
            try {
                int lo = Integer.parseInt(ends[0].trim());
                int hi = ends.length == 2 ? Integer.parseInt(ends[1].trim()) : lo;
                if (ends.length > 2 || lo < 0 || hi < lo || hi > 8191) throw new NumberFormatException();
                ranges.add(new int[] {lo, hi});
                max = Math.max(max, hi);
            } catch (NumberFormatException e) {
                throw new ContainerException(field + ": invalid list \"" + list + "\"");
            }
        }
        byte[] mask = new byte[max / 8 + 1];
        for (int[] r : ranges) for (int i = r[0]; i <= r[1]; i++) mask[i / 8] |= (byte) (1 << (i % 8));
        return mask;
    }

    /**
     * DevicePolicy=strict with a DeviceAllow per allow rule when the rules
     * are "deny all, then allow these" (crema's defaults make them so): a
     * node is /dev/char/MAJOR:MINOR, a whole major is "char-DRIVER" by its
     * name in /proc/devices, any major "char-*". Other lists (a later deny, a
     * major with no driver name) have no systemd form: no device property,
     * and crema's own filter (v2) or devices.deny (v1) enforces them alone.
     */
    static List<Property> devices(List<DeviceRule> rules, Map<String, Map<Long, String>> drivers) {
        if (rules.isEmpty()) return List.of();
        DeviceRule last = rules.get(rules.size() - 1);
        if (last.allow() && last.matchesAll()) return List.of(new Property("DevicePolicy", "s", "auto"));
        if (rules.get(0).allow() || !rules.get(0).matchesAll()) return List.of();
        List<Pair> allow = new ArrayList<>();
        for (DeviceRule d : rules.subList(1, rules.size())) {
            if (!d.allow()) return List.of();
            String access = d.access().replaceAll("[^rwm]", "");
            List<String> types = d.type() == 'a' ? List.of("char", "block") : List.of(d.type() == 'c' ? "char" : "block");
            for (String t : types) {
                String node;
                if (d.major() == DeviceRule.ANY) node = t + "-*";
                else if (d.minor() != DeviceRule.ANY) node = "/dev/" + t + "/" + d.major() + ":" + d.minor();
                else node = drivers.getOrDefault(t, Map.of()).containsKey(d.major()) ? t + "-" + drivers.get(t).get(d.major()) : null;
                if (node == null) return List.of();
                allow.add(new Pair(node, access));
            }
        }
        return List.of(new Property("DevicePolicy", "s", "strict"), new Property("DeviceAllow", "a(ss)", allow));
    }

    /** /proc/devices as "char" and "block" → major → driver name. */
    static Map<String, Map<Long, String>> drivers(List<String> procDevices) {
        Map<String, Map<Long, String>> out = new java.util.HashMap<>();
        Map<Long, String> section = null;
        for (String line : procDevices) {
            if (line.startsWith("Character devices:")) section = out.computeIfAbsent("char", k -> new java.util.HashMap<>());
            else if (line.startsWith("Block devices:")) section = out.computeIfAbsent("block", k -> new java.util.HashMap<>());
            else {
                String[] f = line.trim().split("\\s+");
                if (section != null && f.length == 2 && f[0].matches("[0-9]+")) section.putIfAbsent(Long.parseLong(f[0]), f[1]);
            }
        }
        return out;
    }

    static Map<String, Map<Long, String>> hostDrivers() {
        try {
            return drivers(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/devices")));
        } catch (java.io.IOException e) {
            return Map.of(); // then a whole major has no systemd form: see devices
        }
    }

    /**
     * org.systemd.property.NAME annotations, as runc passes them: the value
     * in GVariant text form, of the types unit properties use: 'text' or
     * "text", true/false, "uint64 N", "uint32 N", "int64 N", "int32 N" or N.
     */
    static List<Property> annotations(Map<String, String> annotations) {
        List<Property> p = new ArrayList<>();
        if (annotations == null) return p;
        for (var e : annotations.entrySet()) {
            if (!e.getKey().startsWith(ANNOTATION_PREFIX)) continue;
            String name = e.getKey().substring(ANNOTATION_PREFIX.length());
            if (!name.matches("[A-Z][A-Za-z0-9]*")) {
                throw new ContainerException("annotations." + e.getKey() + ": \"" + name + "\" is not a systemd property name");
            }
            p.add(gvariant(name, e.getValue().trim(), "annotations." + e.getKey()));
        }
        return p;
    }

    private static Property gvariant(String name, String v, String field) {
        if (v.equals("true") || v.equals("false")) return new Property(name, "b", Boolean.parseBoolean(v));
        if (v.length() >= 2 && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))) {
            return new Property(name, "s", v.substring(1, v.length() - 1));
        }
        String[] typed = v.split("\\s+");
        try {
            if (typed.length == 2) {
                return switch (typed[0]) {
                    case "uint64" -> new Property(name, "t", Long.parseUnsignedLong(typed[1]));
                    case "int64" -> new Property(name, "x", Long.parseLong(typed[1]));
                    case "uint32" -> new Property(name, "u", Integer.parseUnsignedInt(typed[1]));
                    case "int32" -> new Property(name, "i", Integer.parseInt(typed[1]));
                    default -> throw new NumberFormatException();
                };
            }
            if (typed.length == 1) return new Property(name, "i", Integer.parseInt(v));
        } catch (NumberFormatException e) {
            // worded below
        }
        throw new ContainerException(field + ": \"" + v + "\" is not a value crema can pass (GVariant text: 'text', true, false,"
                + " uint64 N, int64 N, uint32 N, int32 N)");
    }
}

package crema.plan;

import java.util.List;
import java.util.Map;

/**
 * process.ioPriority, process.scheduler, process.execCPUAffinity,
 * linux.personality and linux.memoryPolicy, as the numbers the syscalls take.
 * Each is null when the config does not set it.
 */
public record ProcessAttributes(Integer ioPriority, Scheduler scheduler, long[] cpusInitial, long[] cpusFinal,
                                Integer personality, MemoryPolicy memoryPolicy) {

    /** sched_setattr's fields. */
    public record Scheduler(int policy, int nice, int priority, long flags, long runtime, long deadline, long period) {}

    /** set_mempolicy's mode, mode flags and node mask. */
    public record MemoryPolicy(int mode, int flags, long[] nodes) {}

    static final int MASK_WORDS = 16;
    private static final Map<String, Integer> IO_CLASSES = Map.of(
            "IOPRIO_CLASS_RT", 1, "IOPRIO_CLASS_BE", 2, "IOPRIO_CLASS_IDLE", 3);
    private static final Map<String, Integer> POLICIES = Map.of(
            "SCHED_OTHER", 0, "SCHED_FIFO", 1, "SCHED_RR", 2, "SCHED_BATCH", 3, "SCHED_ISO", 4,
            "SCHED_IDLE", 5, "SCHED_DEADLINE", 6);
    private static final Map<String, Long> SCHED_FLAGS = Map.of(
            "SCHED_FLAG_RESET_ON_FORK", 0x1L, "SCHED_FLAG_RECLAIM", 0x2L, "SCHED_FLAG_DL_OVERRUN", 0x4L,
            "SCHED_FLAG_KEEP_POLICY", 0x8L, "SCHED_FLAG_KEEP_PARAMS", 0x10L, "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20L,
            "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40L);
    private static final Map<String, Integer> PERSONALITIES = Map.of("LINUX", 0x0, "LINUX32", 0x8);
    private static final Map<String, Integer> MPOL_MODES = Map.of(
            "MPOL_DEFAULT", 0, "MPOL_PREFERRED", 1, "MPOL_BIND", 2, "MPOL_INTERLEAVE", 3, "MPOL_LOCAL", 4,
            "MPOL_PREFERRED_MANY", 5, "MPOL_WEIGHTED_INTERLEAVE", 6);
    private static final Map<String, Integer> MPOL_FLAGS = Map.of(
            "MPOL_F_NUMA_BALANCING", 1 << 13, "MPOL_F_RELATIVE_NODES", 1 << 14, "MPOL_F_STATIC_NODES", 1 << 15);

    /** Map.get that takes a null key (a field the JSON left out) as unknown. */
    static <V> V lookup(Map<String, V> map, String key) {
        return key == null ? null : map.get(key);
    }

    /** The attributes of p (named field in errors) and of the container's linux section. */
    static ProcessAttributes of(crema.spec.Process p, crema.spec.Linux linux, String field) {
        Integer io = null;
        if (p.ioPriority() != null) {
            Integer cls = lookup(IO_CLASSES, p.ioPriority().klass());
            if (cls == null) throw new InvalidSpecException(ProcessPlan.at(field, "ioPriority.class"), "unknown class \"" + p.ioPriority().klass() + "\"");
            int prio = p.ioPriority().priority();
            if (prio < 0 || prio > 7) throw new InvalidSpecException(ProcessPlan.at(field, "ioPriority.priority"), "must be between 0 and 7");
            io = cls << 13 | prio;
        }
        Scheduler sched = p.scheduler() == null ? null : scheduler(p.scheduler(), ProcessPlan.at(field, "scheduler"));
        long[] initial = null, fin = null;
        if (p.execCPUAffinity() != null) {
            initial = cpuList(p.execCPUAffinity().initial(), ProcessPlan.at(field, "execCPUAffinity.initial"));
            fin = cpuList(p.execCPUAffinity().finalAffinity(), ProcessPlan.at(field, "execCPUAffinity.final"));
        }
        Integer persona = null;
        if (linux.personality() != null) {
            persona = lookup(PERSONALITIES, linux.personality().domain());
            if (persona == null) throw new InvalidSpecException("linux.personality.domain", "unknown domain \"" + linux.personality().domain() + "\"");
            if (linux.personality().flags() != null && !linux.personality().flags().isEmpty()) {
                throw new InvalidSpecException("linux.personality.flags", "no flags are defined");
            }
        }
        MemoryPolicy mpol = null;
        if (linux.memoryPolicy() != null) {
            var m = linux.memoryPolicy();
            Integer mode = lookup(MPOL_MODES, m.mode());
            if (mode == null) throw new InvalidSpecException("linux.memoryPolicy.mode", "unknown mode \"" + m.mode() + "\"");
            int flags = 0;
            List<String> names = m.flags() == null ? List.of() : m.flags();
            for (int i = 0; i < names.size(); i++) {
                Integer f = lookup(MPOL_FLAGS, names.get(i));
                if (f == null) throw new InvalidSpecException("linux.memoryPolicy.flags[" + i + "]", "unknown flag \"" + names.get(i) + "\"");
                flags |= f;
            }
            long[] nodes = cpuList(m.nodes(), "linux.memoryPolicy.nodes");
            mpol = new MemoryPolicy(mode, flags, nodes == null ? new long[MASK_WORDS] : nodes);
        }
        return new ProcessAttributes(io, sched, initial, fin, persona, mpol);
    }

    private static Scheduler scheduler(crema.spec.Scheduler s, String field) {
        Integer policy = lookup(POLICIES, s.policy());
        if (policy == null) throw new InvalidSpecException(field + ".policy", "unknown policy \"" + s.policy() + "\"");
        int nice = s.nice() == null ? 0 : s.nice();
        if (nice < -20 || nice > 19) throw new InvalidSpecException(field + ".nice", "must be between -20 and 19");
        long flags = 0;
        List<String> names = s.flags() == null ? List.of() : s.flags();
        for (int i = 0; i < names.size(); i++) {
            Long f = lookup(SCHED_FLAGS, names.get(i));
            if (f == null) throw new InvalidSpecException(field + ".flags[" + i + "]", "unknown flag \"" + names.get(i) + "\"");
            flags |= f;
        }
        return new Scheduler(policy, nice, s.priority() == null ? 0 : s.priority(), flags,
                s.runtime() == null ? 0 : s.runtime(), s.deadline() == null ? 0 : s.deadline(),
                s.period() == null ? 0 : s.period());
    }

    /** "0-3,7" as a bit mask of MASK_WORDS words; null for null or empty. */
    static long[] cpuList(String list, String field) {
        if (list == null || list.isBlank()) return null;
        long[] mask = new long[MASK_WORDS];
        for (String part : list.trim().split(",")) {
            String[] range = part.trim().split("-", 2);
            int from, to;
            try {
                from = Integer.parseInt(range[0].trim());
                to = range.length == 2 ? Integer.parseInt(range[1].trim()) : from;
            } catch (NumberFormatException e) {
                throw new InvalidSpecException(field, "\"" + list + "\" is not a list like 0-3,7");
            }
            if (from < 0 || to < from || to >= MASK_WORDS * 64) {
                throw new InvalidSpecException(field, "\"" + part.trim() + "\" is out of range 0-" + (MASK_WORDS * 64 - 1));
            }
            for (int c = from; c <= to; c++) mask[c / 64] |= 1L << (c % 64);
        }
        return mask;
    }
}

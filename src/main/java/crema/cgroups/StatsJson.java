package crema.cgroups;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * runc's events JSON: {"type":"stats","id":...,"data":{...}} with runc's
 * field names, including its omissions (a zero "omitempty" number is left
 * out; "limit", "failcnt" and the cpuset flags always appear).
 */
public final class StatsJson {
    private StatsJson() {}

    /** One event: "stats" with data, or "oom" (data null). */
    public static void event(JsonGenerator g, String type, String id, CgroupStats data) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", type);
        g.writeStringField("id", id);
        if (data != null) {
            g.writeFieldName("data");
            stats(g, data);
        }
        g.writeEndObject();
    }

    static void stats(JsonGenerator g, CgroupStats s) throws IOException {
        g.writeStartObject();
        cpu(g, s.cpu());
        cpuset(g, s.cpuset());
        memory(g, s.memory());
        g.writeObjectFieldStart("pids");
        number(g, "current", s.pids().current(), true);
        number(g, "limit", s.pids().limit(), true);
        g.writeEndObject();
        g.writeObjectFieldStart("blkio");
        entries(g, "ioServiceBytesRecursive", s.blkio().ioServiceBytesRecursive());
        entries(g, "ioServicedRecursive", s.blkio().ioServicedRecursive());
        g.writeEndObject();
        g.writeObjectFieldStart("hugetlb");
        for (var e : s.hugetlb().entrySet()) {
            g.writeObjectFieldStart(e.getKey());
            number(g, "usage", e.getValue().usage(), true);
            number(g, "max", e.getValue().max(), true);
            number(g, "failcnt", e.getValue().failcnt(), false);
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeObjectFieldStart("intel_rdt");
        g.writeEndObject();
        g.writeNullField("network_interfaces");
        g.writeEndObject();
    }

    private static void cpu(JsonGenerator g, CgroupStats.Cpu c) throws IOException {
        g.writeObjectFieldStart("cpu");
        g.writeObjectFieldStart("usage");
        number(g, "total", c.total(), true);
        list(g, "percpu", c.percpu());
        list(g, "percpu_kernel", c.percpuKernel());
        list(g, "percpu_user", c.percpuUser());
        number(g, "kernel", c.kernel(), false);
        number(g, "user", c.user(), false);
        g.writeEndObject();
        g.writeObjectFieldStart("throttling");
        number(g, "periods", c.periods(), true);
        number(g, "throttledPeriods", c.throttledPeriods(), true);
        number(g, "throttledTime", c.throttledTime(), true);
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void cpuset(JsonGenerator g, CgroupStats.CpuSet c) throws IOException {
        g.writeObjectFieldStart("cpuset");
        if (!c.cpus().isEmpty()) {
            g.writeArrayFieldStart("cpus");
            for (int cpu : c.cpus()) g.writeNumber(cpu);
            g.writeEndArray();
        }
        number(g, "cpu_exclusive", c.flags().getOrDefault("cpu_exclusive", 0L), false);
        if (!c.mems().isEmpty()) {
            g.writeArrayFieldStart("mems");
            for (int mem : c.mems()) g.writeNumber(mem);
            g.writeEndArray();
        }
        for (String flag : List.of("mem_hardwall", "mem_exclusive", "memory_migrate", "memory_spread_page",
                "memory_spread_slab", "memory_pressure", "sched_load_balance")) {
            number(g, flag, c.flags().getOrDefault(flag, 0L), false);
        }
        g.writeNumberField("sched_relax_domain_level", c.flags().getOrDefault("sched_relax_domain_level", 0L));
        g.writeEndObject();
    }

    private static void memory(JsonGenerator g, CgroupStats.Memory m) throws IOException {
        g.writeObjectFieldStart("memory");
        number(g, "cache", m.cache(), true);
        entry(g, "usage", m.usage());
        entry(g, "swap", m.swap());
        entry(g, "kernel", m.kernel());
        entry(g, "kernelTCP", m.kernelTCP());
        if (!m.raw().isEmpty()) {
            g.writeObjectFieldStart("raw");
            for (Map.Entry<String, Long> e : m.raw().entrySet()) number(g, e.getKey(), e.getValue(), false);
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void entry(JsonGenerator g, String name, CgroupStats.MemoryEntry e) throws IOException {
        g.writeObjectFieldStart(name);
        number(g, "limit", e.limit(), false);
        number(g, "usage", e.usage(), true);
        number(g, "max", e.max(), true);
        number(g, "failcnt", e.failcnt(), false);
        g.writeEndObject();
    }

    private static void entries(JsonGenerator g, String name, List<CgroupStats.BlkioEntry> list) throws IOException {
        if (list.isEmpty()) return;
        g.writeArrayFieldStart(name);
        for (CgroupStats.BlkioEntry e : list) {
            g.writeStartObject();
            number(g, "major", e.major(), true);
            number(g, "minor", e.minor(), true);
            if (!e.op().isEmpty()) g.writeStringField("op", e.op());
            number(g, "value", e.value(), true);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void list(JsonGenerator g, String name, List<Long> values) throws IOException {
        if (values.isEmpty()) return;
        g.writeArrayFieldStart(name);
        for (long v : values) unsigned(g, v);
        g.writeEndArray();
    }

    /** A uint64 field; with omitEmpty a zero is left out, as Go's omitempty does. */
    private static void number(JsonGenerator g, String name, long v, boolean omitEmpty) throws IOException {
        if (omitEmpty && v == 0) return;
        g.writeFieldName(name);
        unsigned(g, v);
    }

    private static void unsigned(JsonGenerator g, long v) throws IOException {
        if (v >= 0) g.writeNumber(v);
        else g.writeNumber(new BigInteger(Long.toUnsignedString(v)));
    }
}

package crema.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading v1 and v2 files into stats, and runc's JSON for them. */
class StatsTest {
    @TempDir
    Path tmp;

    private static String json(CgroupStats s) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(b)) {
            StatsJson.event(g, "stats", "c1", s);
        }
        return b.toString();
    }

    @Test
    void v1FilesBecomeRuncsFields() throws Exception {
        Path mem = Files.createDirectories(tmp.resolve("memory")), pids = Files.createDirectories(tmp.resolve("pids"));
        Path acct = Files.createDirectories(tmp.resolve("cpuacct")), cpu = Files.createDirectories(tmp.resolve("cpu"));
        Files.writeString(mem.resolve("memory.stat"), "cache 4096\nrss 8192\n");
        Files.writeString(mem.resolve("memory.usage_in_bytes"), "12288\n");
        Files.writeString(mem.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
        Files.writeString(mem.resolve("memory.failcnt"), "3\n");
        Files.writeString(pids.resolve("pids.current"), "2\n");
        Files.writeString(pids.resolve("pids.max"), "max\n");
        Files.writeString(acct.resolve("cpuacct.usage"), "5000\n");
        Files.writeString(acct.resolve("cpuacct.usage_percpu"), "3000 2000 \n");
        Files.writeString(acct.resolve("cpuacct.stat"), "user 2\nsystem 1\n");
        Files.writeString(cpu.resolve("cpu.stat"), "nr_periods 10\nnr_throttled 4\nthrottled_time 999\n");
        CgroupStats s = V1Stats.read(Map.of("memory", mem, "pids", pids, "cpuacct", acct, "cpu", cpu));
        String j = json(s);
        assertTrue(j.startsWith("{\"type\":\"stats\",\"id\":\"c1\",\"data\":{\"cpu\":{\"usage\":{\"total\":5000,"
                + "\"percpu\":[3000,2000],\"kernel\":10000000,\"user\":20000000},"
                + "\"throttling\":{\"periods\":10,\"throttledPeriods\":4,\"throttledTime\":999}},"), j);
        assertTrue(j.contains("\"memory\":{\"cache\":4096,\"usage\":{\"limit\":9223372036854771712,\"usage\":12288,\"failcnt\":3},"), j);
        assertTrue(j.contains("\"pids\":{\"current\":2}"), "an unlimited pids.max reads as no limit: " + j);
        assertTrue(j.endsWith("\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}}"), j);
    }

    @Test
    void v2FilesAreReportedInV1Terms() throws Exception {
        Files.writeString(tmp.resolve("cpu.stat"), "usage_usec 7\nuser_usec 5\nsystem_usec 2\n");
        Files.writeString(tmp.resolve("memory.current"), "100\n");
        Files.writeString(tmp.resolve("memory.max"), "max\n");
        Files.writeString(tmp.resolve("memory.swap.current"), "10\n");
        Files.writeString(tmp.resolve("memory.swap.max"), "max\n");
        Files.writeString(tmp.resolve("memory.stat"), "anon 60\nfile 40\n");
        Files.writeString(tmp.resolve("io.stat"), "8:0 rbytes=512 wbytes=1024 rios=1 wios=2 dbytes=0 dios=0\n");
        Files.writeString(tmp.resolve("hugetlb.2MB.max"), "max\n");
        Files.writeString(tmp.resolve("hugetlb.2MB.current"), "0\n");
        Files.writeString(tmp.resolve("hugetlb.2MB.events"), "max 3\n");
        CgroupStats s = V2Stats.read(tmp);
        assertEquals(7000, s.cpu().total());
        assertEquals(40, s.memory().cache(), "cache is v2's file");
        assertEquals(110, s.memory().swap().usage(), "swap is memory + swap, as on v1");
        assertEquals(-1, s.memory().usage().limit());
        String j = json(s);
        assertTrue(j.contains("\"usage\":{\"limit\":18446744073709551615,\"usage\":100,\"failcnt\":0}"), j);
        assertTrue(j.contains("\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":512},"
                + "{\"major\":8,\"op\":\"Write\",\"value\":1024}"), j);
        assertTrue(j.contains("\"hugetlb\":{\"2MB\":{\"failcnt\":3}}"), j);
        assertFalse(j.contains("percpu"), "v2 has no per-cpu times");
    }

    @Test
    void cpuListsExpandRanges() {
        assertEquals(java.util.List.of(0, 1, 2, 5), CgroupStats.cpuList("0-2,5\n"));
        assertEquals(java.util.List.of(), CgroupStats.cpuList(""));
    }
}

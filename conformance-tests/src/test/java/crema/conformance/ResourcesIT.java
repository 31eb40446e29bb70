package crema.conformance;

import static crema.conformance.CgroupFs.V2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every linux.resources field, observed from inside the container or from
 * the host's view of its cgroup, on v1 (and hybrid) and v2 hosts. Fields a
 * host cannot take (a controller it lacks) must fail create with an error
 * naming the field.
 */
class ResourcesIT extends ConformanceBase {
    private static final long MIB = 1 << 20;

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }



    /** create must fail, naming the field. */
    private void refused(String field) {
        bundle.shell("true").save();
        Crema.Result r = crema.run("create", "--bundle", bundle.dir.toString(), newId());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains(field), r.err());
    }

    private static String awaitFile(Path file, int seconds) throws Exception {
        for (int i = 0; i < seconds * 20; i++) {
            if (Files.exists(file) && !Files.readString(file).isBlank()) return Files.readString(file).trim();
            Thread.sleep(50);
        }
        throw new AssertionError(file + " never written");
    }

    @Test
    void anAllocationPastTheMemoryLimitIsOomKilledAndEventsReportsIt() throws Exception {
        bundle.set("root.readonly", false).set("linux.resources.memory", map("limit", 32 * MIB, "swap", 32 * MIB));
        String id = started("while [ ! -e /tmp/go ]; do sleep 0.1; done;"
                + " dd if=/dev/zero of=/dev/null bs=64M count=1; echo $? > /tmp/rc; sleep 60");
        assertEquals(Long.toString(32 * MIB), CgroupFs.read(initPid(id), "memory", V2 ? "memory.max" : "memory.limit_in_bytes"));
        try (EventStream events = new EventStream(crema, "--interval", "200ms", id)) {
            assertNotNull(events.await("\"type\":\"stats\"", 60), "no stats: " + events.seen);
            Files.createFile(bundle.rootfs.resolve("tmp/go"));
            assertNotNull(events.await("{\"type\":\"oom\",\"id\":\"" + id + "\"}", 60), "no oom event: " + events.seen);
        }
        assertEquals("137", awaitFile(bundle.rootfs.resolve("tmp/rc"), 60), "dd was not killed by SIGKILL");
    }

    @Test
    void reservationSwappinessAndKernelTcpReachTheirFiles() {
        bundle.set("linux.resources.memory", map("limit", 64 * MIB, "reservation", 16 * MIB, "swappiness", 10,
                "kernelTCP", 8 * MIB));
        int pid = initPid(started("sleep 60"));
        if (V2) {
            // v2 has no swappiness or kernel TCP limit: ignored, as runc ignores them.
            assertEquals(Long.toString(16 * MIB), CgroupFs.read(pid, "memory", "memory.low"));
        } else {
            assertEquals(Long.toString(16 * MIB), CgroupFs.read(pid, "memory", "memory.soft_limit_in_bytes"));
            assertEquals("10", CgroupFs.read(pid, "memory", "memory.swappiness"));
            assertEquals(Long.toString(8 * MIB), CgroupFs.read(pid, "memory", "memory.kmem.tcp.limit_in_bytes"));
        }
    }

    @Test
    void withTheOomKillerDisabledAnAllocationWaitsInsteadOfDying() throws Exception {
        assumeTrue(!V2, "v2 has no switch for the OOM killer (runc ignores the field there)");
        bundle.set("linux.resources.memory", map("limit", 16 * MIB, "swap", 16 * MIB, "disableOOMKiller", true));
        // A string doubling in awk: the pages are touched from user space, where the task waits for memory.
        int pid = initPid(started("awk 'BEGIN { s = \"xxxxxxxx\"; while (1) s = s s }'; sleep 60"));
        String oom = "";
        for (int i = 0; i < 200 && !oom.contains("under_oom 1"); i++) {
            Thread.sleep(50);
            oom = CgroupFs.read(pid, "memory", "memory.oom_control");
        }
        assertTrue(oom.contains("oom_kill_disable 1"), oom);
        assertTrue(oom.contains("under_oom 1"), oom);
        assertTrue(oom.contains("oom_kill 0"), "nothing was killed: " + oom);
    }

    @Test
    void cpuQuotaThrottlesABusyLoop() throws Exception {
        bundle.set("linux.resources.cpu", map("quota", 20000, "period", 100000));
        String id = started("while :; do :; done");
        int pid = initPid(id);
        if (V2) {
            assertEquals("20000 100000", CgroupFs.read(pid, "cpu", "cpu.max"));
        } else {
            assertEquals("20000", CgroupFs.read(pid, "cpu", "cpu.cfs_quota_us"));
            assertEquals("100000", CgroupFs.read(pid, "cpu", "cpu.cfs_period_us"));
        }
        long before = CgroupFs.cpuTicks(pid);
        Thread.sleep(2000);
        long used = CgroupFs.cpuTicks(pid) - before;
        // 20% of one cpu for 2 s is 40 ticks (at 100 Hz); unthrottled it would be ~200.
        assertTrue(used < 80, "a busy loop used " + used + " ticks in 2 s under a 20% quota");
        @SuppressWarnings("unchecked")
        Map<String, Object> stats = (Map<String, Object>) Json.parse(crema.run("events", "--stats", id).ok().out());
        Map<?, ?> throttling = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) stats.get("data")).get("cpu")).get("throttling");
        assertTrue(((Number) throttling.get("throttledPeriods")).longValue() > 0, throttling.toString());
    }

    @Test
    void sharesBurstAndRealtimeReachTheirFiles() {
        Map<String, Object> cpu = map("shares", 512, "quota", 50000, "period", 100000, "burst", 10000);
        if (!V2) {
            cpu.put("realtimePeriod", 1000000);
            cpu.put("realtimeRuntime", 10000);
        }
        bundle.set("linux.resources.cpu", cpu);
        int pid = initPid(started("sleep 60"));
        if (V2) {
            assertEquals("59", CgroupFs.read(pid, "cpu", "cpu.weight"), "512 shares on runc's curve");
            assertEquals("10000", CgroupFs.read(pid, "cpu", "cpu.max.burst"));
        } else {
            assertEquals("512", CgroupFs.read(pid, "cpu", "cpu.shares"));
            assertEquals("10000", CgroupFs.read(pid, "cpu", "cpu.cfs_burst_us"));
            assertEquals("10000", CgroupFs.read(pid, "cpu", "cpu.rt_runtime_us"));
            assertEquals("1000000", CgroupFs.read(pid, "cpu", "cpu.rt_period_us"));
        }
    }

    @Test
    void idleMakesTheCgroupSchedIdle() {
        bundle.set("linux.resources.cpu", map("idle", 1));
        int pid = initPid(started("sleep 60"));
        assertEquals("1", CgroupFs.read(pid, "cpu", "cpu.idle"));
        // The scheduler gives an idle group the least weight there is.
        assertEquals(V2 ? "0" : "3", CgroupFs.read(pid, "cpu", V2 ? "cpu.weight" : "cpu.shares"));
    }

    @Test
    void cpusetPinsTheContainer() {
        bundle.set("linux.resources.cpu", map("cpus", "0", "mems", "0"));
        bundle.shell("grep -E '^(Cpus|Mems)_allowed_list' /proc/self/status");
        String out = runOk();
        assertTrue(out.contains("Cpus_allowed_list:\t0\n"), out);
        assertTrue(out.contains("Mems_allowed_list:\t0\n"), out);
    }

    @Test
    void forkFailsPastThePidsLimit() {
        bundle.set("linux.resources.pids", map("limit", 4));
        assertEquals("4", CgroupFs.read(initPid(started("sleep 60")), "pids", "pids.max"));
        bundle.shell("i=0; while [ $i -lt 8 ]; do sleep 10 & i=$((i+1)); done; echo looped");
        Crema.Result r = run();
        assertTrue(r.err().contains("can't fork"), "stdout: " + r.out() + " stderr: " + r.err());
    }

    @Test
    void blockIoWeightAndThrottlesReachTheKernel() {
        String disk = CgroupFs.aDisk();
        assumeTrue(disk != null, "no disk to throttle");
        Map<String, Object> read = map("major", Long.parseLong(disk.split(":")[0]), "minor", Long.parseLong(disk.split(":")[1]),
                "rate", MIB);
        Map<String, Object> write = new LinkedHashMap<>(read);
        write.put("rate", 100);
        // the weight only where this kernel has a file for it (blockIoWeightWithoutAWeightFileIsRefused)
        boolean hasWeight = V2 || Files.exists(CgroupFs.ROOT.resolve("blkio/blkio.weight"))
                || Files.exists(CgroupFs.ROOT.resolve("blkio/blkio.bfq.weight"));
        Map<String, Object> blockIO = map("throttleReadBpsDevice", List.of(read), "throttleWriteIOPSDevice", List.of(write));
        if (hasWeight) blockIO.put("weight", 300);
        bundle.set("linux.resources.blockIO", blockIO);
        int pid = initPid(started("sleep 60"));
        if (V2) {
            String max = CgroupFs.read(pid, "io", "io.max");
            assertTrue(max.contains(disk + " rbps=" + MIB + " wbps=max riops=max wiops=100"), max);
            Path bfq = CgroupFs.dir(pid, "io").resolve("io.bfq.weight");
            // Without BFQ, io.weight takes the weight converted to its 1-10000 range.
            String weight = Files.exists(bfq) ? CgroupFs.read(pid, "io", "io.bfq.weight") : CgroupFs.read(pid, "io", "io.weight");
            assertTrue(weight.contains(Files.exists(bfq) ? "300" : "2930"), weight);
        } else {
            assertTrue(CgroupFs.read(pid, "blkio", "blkio.throttle.read_bps_device").contains(disk + " " + MIB));
            assertTrue(CgroupFs.read(pid, "blkio", "blkio.throttle.write_iops_device").contains(disk + " 100"));
            Path bfq = CgroupFs.dir(pid, "blkio").resolve("blkio.bfq.weight");
            if (hasWeight) assertTrue(CgroupFs.read(pid, "blkio", Files.exists(bfq) ? "blkio.bfq.weight" : "blkio.weight").contains("300"));
        }
    }

    /** Without BFQ and CFQ (kernel 6.x) a v1 blkio cgroup has no weight file: the weight is refused, naming it. */
    @Test
    void blockIoWeightWithoutAWeightFileIsRefused() {
        Path blkio = CgroupFs.ROOT.resolve("blkio");
        assumeTrue(!V2 && Files.isDirectory(blkio), "no v1 blkio hierarchy");
        assumeTrue(!Files.exists(blkio.resolve("blkio.weight")) && !Files.exists(blkio.resolve("blkio.bfq.weight")),
                "this kernel has a blkio weight file");
        bundle.set("linux.resources.blockIO", map("weight", 300));
        refused("linux.resources.blockIO.weight: ");
    }

    @Test
    void hugepageLimitsReachTheKernel() throws Exception {
        boolean hugetlb = V2 ? Files.readString(CgroupFs.ROOT.resolve("cgroup.controllers")).contains("hugetlb")
                : CgroupFs.v1Has("hugetlb");
        assumeTrue(hugetlb, "no hugetlb controller");
        bundle.set("linux.resources.hugepageLimits", List.of(map("pageSize", "2MB", "limit", 4 * MIB)));
        int pid = initPid(started("sleep 60"));
        assertEquals(Long.toString(4 * MIB), CgroupFs.read(pid, "hugetlb", V2 ? "hugetlb.2MB.max" : "hugetlb.2MB.limit_in_bytes"));
        bundle.set("linux.resources.hugepageLimits", List.of(map("pageSize", "3MB", "limit", MIB)));
        refused("linux.resources.hugepageLimits[0].pageSize: ");
    }

    @Test
    void networkClassIdAndPriorities() {
        bundle.set("linux.resources.network", map("classID", 0x100001, "priorities", List.of(map("name", "lo", "priority", 5))));
        if (CgroupFs.v1Has("net_cls") && CgroupFs.v1Has("net_prio")) {
            int pid = initPid(started("sleep 60"));
            assertEquals(Integer.toString(0x100001), CgroupFs.read(pid, "net_cls", "net_cls.classid"));
            assertTrue(CgroupFs.read(pid, "net_prio", "net_prio.ifpriomap").contains("lo 5"));
        } else if (V2) {
            // No v2 equivalent: accepted and ignored, as runc does.
            assertEquals("", runOk());
        } else {
            refused("linux.resources.network.classID: the net_cls cgroup controller is not mounted");
        }
    }

    @Test
    void rdmaLimitsNameTheirDeviceWhenTheHostCannotTakeThem() {
        // No RDMA hardware on the test hosts: the kernel (or the missing controller) refuses, and the error says which field.
        bundle.set("linux.resources.rdma", map("mlx4_0", map("hcaHandles", 2, "hcaObjects", 2000)));
        refused("linux.resources.rdma.mlx4_0: ");
    }

    @Test
    void unifiedWritesRawV2Files() {
        bundle.set("linux.resources.unified", map("pids.max", "7"));
        if (V2) {
            assertEquals("7", CgroupFs.read(initPid(started("sleep 60")), "pids", "pids.max"));
        } else {
            refused("linux.resources.unified: cannot use unified on cgroup v1");
        }
    }

    // /dev/kmsg (1:11) is in every kernel, and opening it for writing needs no capability:
    // an EPERM there comes from the device rules alone.
    private void kmsgNode() {
        bundle.set("linux.devices", new ArrayList<>(List.of(map("path", "/dev/kmsg", "type", "c", "major", 1, "minor", 11,
                "fileMode", 0644))));
    }

    @Test
    void aDeviceTheRulesDenyCannotBeOpened() {
        kmsgNode();
        bundle.shell("exec 3>/dev/null && echo null; (exec 4>/dev/kmsg) 2>&1; true");
        String out = runOk();
        assertTrue(out.startsWith("null\n"), out);
        assertTrue(out.contains("can't create /dev/kmsg: Operation not permitted"), out);
    }

    @Test
    void anAllowedDeviceOpensForTheAccessItNames() {
        kmsgNode();
        bundle.list("linux.resources.devices").add(map("allow", true, "type", "c", "major", 1, "minor", 11, "access", "w"));
        bundle.shell("(exec 3>/dev/kmsg) && echo write; (exec 4</dev/kmsg) 2>&1; true");
        String out = runOk();
        assertTrue(out.startsWith("write\n"), out);
        assertTrue(out.contains("can't open /dev/kmsg: Operation not permitted"), "reading was not allowed: " + out);
    }

    @Test
    void invalidValuesAreRefusedBeforeAnythingIsCreated() {
        bundle.set("linux.resources.memory", map("limit", -5));
        refused("linux.resources.memory.limit: must be -1 (unlimited) or a number of bytes, not -5");
    }
}

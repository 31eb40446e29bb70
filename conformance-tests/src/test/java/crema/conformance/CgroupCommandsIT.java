package crema.conformance;

import static crema.conformance.CgroupFs.V2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** pause/resume, update, events, ps and delete, as runc does them, observed on the host. */
class CgroupCommandsIT extends ConformanceBase {
    private static final long MIB = 1 << 20;


    private Crema.Result fails(String... args) {
        Crema.Result r = crema.run(args);
        assertEquals(1, r.exit(), r.out());
        return r;
    }

    @Test
    void pauseStopsEveryProcessAndResumeLetsThemGoOn() throws Exception {
        String id = started("while :; do :; done");
        int pid = initPid(id);
        crema.run("pause", id).ok();
        assertEquals("paused", Lifecycle.status(crema, id));
        assertEquals(V2 ? "1" : "FROZEN", CgroupFs.read(pid, "freezer", V2 ? "cgroup.freeze" : "freezer.state"));
        long frozen = CgroupFs.cpuTicks(pid);
        Thread.sleep(500);
        assertEquals(frozen, CgroupFs.cpuTicks(pid), "a frozen busy loop used cpu");
        assertTrue(fails("pause", id).err().contains("container not running"));
        crema.run("resume", id).ok();
        assertEquals("running", Lifecycle.status(crema, id));
        Thread.sleep(500);
        assertTrue(CgroupFs.cpuTicks(pid) > frozen, "the loop did not go on after resume");
        assertTrue(fails("resume", id).err().contains("container not paused"));
    }

    @Test
    void aPausedContainerCanBeDeletedByForce() throws Exception {
        String id = started("sleep 60");
        crema.run("pause", id).ok();
        crema.run("delete", "--force", id).ok();
        assertNothingLeft(id);
    }

    @Test
    void updateChangesTheLimitsOfARunningContainer() throws Exception {
        bundle.set("root.readonly", false).set("linux.resources.memory", Map.of("limit", 256 * MIB));
        String id = started("while [ ! -e /tmp/go ]; do sleep 0.1; done;"
                + " dd if=/dev/zero of=/dev/null bs=48M count=1; echo $? > /tmp/rc; sleep 60");
        int pid = initPid(id);
        crema.run("update", "--memory", "16m", "--memory-swap", "16m", "--pids-limit", "9", "--cpu-quota", "30000",
                "--cpu-period", "100000", id).ok();
        assertEquals(Long.toString(16 * MIB), CgroupFs.read(pid, "memory", V2 ? "memory.max" : "memory.limit_in_bytes"));
        assertEquals("9", CgroupFs.read(pid, "pids", "pids.max"));
        assertEquals(V2 ? "30000 100000" : "30000", CgroupFs.read(pid, "cpu", V2 ? "cpu.max" : "cpu.cfs_quota_us"));
        // 48 MiB fitted the old limit; under the new one it is killed.
        Files.createFile(bundle.rootfs.resolve("tmp/go"));
        Path rc = bundle.rootfs.resolve("tmp/rc");
        for (int i = 0; i < 400 && (!Files.exists(rc) || Files.readString(rc).isBlank()); i++) Thread.sleep(50);
        assertEquals("137", Files.readString(rc).trim());

        crema.shell("echo '{\"pids\":{\"limit\":12},\"cpu\":{\"shares\":2048}}' | $CREMA update -r - " + id).ok();
        assertEquals("12", CgroupFs.read(pid, "pids", "pids.max"));
        assertEquals(V2 ? "174" : "2048", CgroupFs.read(pid, "cpu", V2 ? "cpu.weight" : "cpu.shares"));
    }

    @Test
    void updateRefusesWhatCannotBe() throws Exception {
        String id = started("sleep 60");
        Path file = Files.writeString(tmp.resolve("r.json"), "{\"memory\":{\"limit\":4096,\"checkBeforeUpdate\":true}}");
        assertTrue(fails("update", "-r", file.toString(), id).err().contains("rejecting memory limit 4096 <= usage"));
        assertTrue(fails("update", "--memory", "lots", id).err().contains("invalid value for memory"));
        Files.writeString(file, "{\"memory\":{\"limit\":\"x\"}}");
        assertTrue(fails("update", "-r", file.toString(), id).err().contains("memory.limit: "));
        crema.run("kill", id, "KILL").ok();
        Lifecycle.awaitStatus(crema, id, "stopped");
        assertTrue(fails("update", "--pids-limit", "5", id).err().contains("container not running"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void eventsStatsPrintsRuncsJsonOnce() {
        String id = started("i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; sleep 60");
        Crema.Result r = crema.run("events", "--stats", id).ok();
        assertEquals(1, r.out().strip().split("\n").length, r.out());
        Map<String, Object> event = (Map<String, Object>) Json.parse(r.out());
        assertEquals("stats", event.get("type"));
        assertEquals(id, event.get("id"));
        Map<String, Object> data = (Map<String, Object>) event.get("data");
        assertEquals(List.of("cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"),
                List.copyOf(data.keySet()));
        Map<String, Object> cpu = (Map<String, Object>) data.get("cpu");
        assertTrue(((Number) ((Map<String, Object>) cpu.get("usage")).get("total")).longValue() > 0, cpu.toString());
        Map<String, Object> memory = (Map<String, Object>) data.get("memory");
        assertTrue(((Number) ((Map<String, Object>) memory.get("usage")).get("usage")).longValue() > 0, memory.toString());
        assertTrue(((Map<String, Object>) memory.get("usage")).containsKey("limit"));
        assertTrue(((Number) ((Map<String, Object>) data.get("pids")).get("current")).longValue() >= 1);
    }

    @Test
    void eventsStreamsUntilTheContainerStops() throws Exception {
        bundle.set("root.readonly", false);
        String id = started("while [ ! -e /tmp/stop ]; do sleep 0.1; done");
        try (EventStream events = new EventStream(crema, "--interval", "100ms", id)) {
            assertNotNull(events.await("\"type\":\"stats\",\"id\":\"" + id + "\"", 60), events.seen.toString());
            assertNotNull(events.await("\"type\":\"stats\"", 10), "a second one within the interval");
            Files.createFile(bundle.rootfs.resolve("tmp/stop"));
            assertTrue(events.ends(60), "the stream went on after the container stopped");
        }
        assertTrue(fails("events", "--stats", id).err().contains("container with id " + id + " is not running"));
        assertTrue(fails("events", "--interval", "5", id).err().contains("invalid duration"));
    }

    @Test
    void psListsTheContainersProcesses() throws Exception {
        String id = started("sleep 300 & sleep 300 & wait");
        int init = initPid(id);
        List<Object> pids = List.of();
        for (int i = 0; i < 100 && pids.size() < 3; i++) {
            Thread.sleep(20);
            pids = (List<Object>) Json.parse(crema.run("ps", "--format", "json", id).ok().out());
        }
        assertEquals(3, pids.size(), pids.toString());
        assertTrue(pids.contains(init), pids + " lacks the init " + init);
        String[] table = crema.run("ps", id).ok().out().split("\n");
        assertTrue(table[0].contains("PID"), table[0]);
        assertEquals(4, table.length, String.join("\n", table));
        String custom = crema.run("ps", id, "-o", "pid,comm").ok().out();
        assertEquals(2, custom.split("\n")[1].trim().split("\\s+").length, custom);
        assertTrue(custom.contains("sleep"), custom);
    }

    @Test
    void deleteKillsWhatIsLeftInTheCgroupAndRemovesIt() throws Exception {
        // Without a pid namespace the init's children outlive it.
        List<Object> namespaces = bundle.list("linux.namespaces");
        namespaces.removeIf(ns -> "pid".equals(((Map<?, ?>) ns).get("type")));
        String id = started("sleep 300 & exit 0");
        Lifecycle.awaitStatus(crema, id, "stopped");
        List<Long> left = List.of();
        for (int i = 0; i < 100 && left.size() != 1; i++) {
            Thread.sleep(20);
            left = processesInCgroupNamed(id).stream().filter(p -> Lifecycle.alive(p.intValue())).toList();
        }
        assertEquals(1, left.size(), "the sleep should linger: " + left);
        crema.run("delete", id).ok();
        assertFalse(Lifecycle.alive(left.get(0).intValue()), "the lingering sleep was not killed");
        assertNothingLeft(id);
    }
}

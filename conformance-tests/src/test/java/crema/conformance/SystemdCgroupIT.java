package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * --systemd-cgroup. Where systemd is not the init (this machine), create must
 * fail in one line saying no systemd answers over D-Bus, leaving nothing.
 * Where it is (scripts/test-systemd boots one in qemu), the container is a
 * transient scope: it exists, `systemctl show` reports the limits, every
 * command works on it, and it is gone after delete.
 */
class SystemdCgroupIT extends ConformanceBase {
    private static final long MIB = 1024 * 1024;

    /** sd_booted()'s test: systemd makes this directory when it is the init. */
    private static boolean systemdIsInit() {
        return Files.isDirectory(Path.of("/run/systemd/system"));
    }

    private static boolean unified() {
        return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    }

    private Crema.Result create(String id) {
        bundle.save();
        return crema.run("--systemd-cgroup", "create", "--bundle", bundle.dir.toString(), "--pid-file", tmp.resolve(id + ".pid").toString(), id);
    }

    /** `systemctl show -p P --value unit` for each property. */
    private Map<String, String> show(String unit, String... properties) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : properties) out.put(p, crema.shell("systemctl show -p " + p + " --value " + unit).ok().out().trim());
        return out;
    }

    /** No directory of the unit under any hierarchy, and systemd does not know it. */
    private void assertUnitGone(String unit) throws IOException {
        for (Path h : cgroupHierarchies()) assertEquals(List.of(), dirsNamed(h, unit, 6), "cgroup dirs of " + unit + " left behind");
        if (systemdIsInit()) assertEquals("not-found", show(unit, "LoadState").get("LoadState"), unit + " still loaded");
    }

    /** Bad input: exit 1, one line naming the field, nothing made (with or without systemd). */
    private void assertCreateRefused(String expected) throws IOException {
        String id = newId();
        Crema.Result r = create(id);
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertNothingLeft(id);
    }

    private static void requireSystemd() {
        assumeTrue(systemdIsInit(), "needs systemd as the init: scripts/test-systemd");
    }

    /** The unit of a container with an empty cgroupsPath (or "...:crema:ID"). */
    private static String scope(String id) {
        return "crema-" + id + ".scope";
    }

    private void assertDeletedCleanly(String id, String unit) throws IOException {
        crema.run("delete", "--force", id).ok();
        assertNothingLeft(id);
        assertUnitGone(unit);
    }

    private int pid(String id) throws IOException {
        return Integer.parseInt(Files.readString(tmp.resolve(id + ".pid")).trim());
    }

    @Test
    void withoutSystemdCreateFailsInOneLineAndLeavesNothing() throws Exception {
        assumeFalse(systemdIsInit(), "systemd is the init here");
        String id = newId();
        Path log = tmp.resolve("log.json");
        bundle.save();
        Crema.Result r = crema.run("--log", log.toString(), "--log-format", "json", "--systemd-cgroup", "create", "--bundle",
                bundle.dir.toString(), id);
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains("no systemd is reachable over D-Bus for unit crema-" + id + ".scope"), r.err());
        assertEquals(1, Files.readAllLines(log).size(), "one log line");
        assertNothingLeft(id);
        assertUnitGone(scope(id));
    }

    @Test
    void aCgroupsPathNotSlicePrefixNameIsRefusedByField() throws Exception {
        bundle.set("linux.cgroupsPath", "/not/a/slice");
        assertCreateRefused("linux.cgroupsPath: expected \"slice:prefix:name\" for systemd cgroups, got \"/not/a/slice\"");
    }

    @Test
    void aBadSystemdAnnotationIsRefusedByName() throws Exception {
        bundle.set("annotations", Map.of("org.systemd.property.TimeoutStopUSec", "soon"));
        assertCreateRefused("annotations.org.systemd.property.TimeoutStopUSec: \"soon\"");
    }

    @Test
    void theScopeHasTheLimitsAndIsGoneAfterDelete() throws Exception {
        requireSystemd();
        String id = newId();
        String unit = scope(id);
        bundle.shell("sleep 300").set("linux.cgroupsPath", "crema-test.slice:crema:" + id)
                .set("linux.resources.memory", Map.of("limit", 64 * MIB))
                .set("linux.resources.pids", Map.of("limit", 20))
                .set("linux.resources.cpu", Map.of("shares", 512, "quota", 50000, "period", 100000))
                .set("annotations", Map.of("org.systemd.property.CollectMode", "'inactive-or-failed'"));
        create(id).ok();
        boolean v2 = unified();
        Map<String, String> s = show(unit, "ActiveState", "Slice", "Delegate", "TasksMax", "CPUQuotaPerSecUSec", "CollectMode",
                v2 ? "MemoryMax" : "MemoryLimit", v2 ? "CPUWeight" : "CPUShares");
        assertEquals("active", s.get("ActiveState"), s.toString());
        assertEquals("crema-test.slice", s.get("Slice"));
        assertEquals("yes", s.get("Delegate"));
        assertEquals("20", s.get("TasksMax"));
        assertEquals("500ms", s.get("CPUQuotaPerSecUSec"));
        assertEquals("inactive-or-failed", s.get("CollectMode"));
        assertEquals(Long.toString(64 * MIB), s.get(v2 ? "MemoryMax" : "MemoryLimit"));
        assertEquals(v2 ? "59" : "512", s.get(v2 ? "CPUWeight" : "CPUShares"));
        // the init is in the scope, below the nested slice path, and the kernel has the limit
        String cgroup = Files.readString(Path.of("/proc", Integer.toString(pid(id)), "cgroup"));
        assertTrue(cgroup.contains("/crema.slice/crema-test.slice/" + unit), cgroup);
        Path memory = v2 ? Path.of("/sys/fs/cgroup/crema.slice/crema-test.slice", unit, "memory.max")
                : Path.of("/sys/fs/cgroup/memory/crema.slice/crema-test.slice", unit, "memory.limit_in_bytes");
        assertEquals(Long.toString(64 * MIB), Files.readString(memory).trim());
        crema.run("start", id).ok();
        assertDeletedCleanly(id, unit);
    }

    @Test
    void unifiedFilesSystemdHasAPropertyForAreUnitProperties() throws Exception {
        requireSystemd();
        assumeTrue(unified(), "linux.resources.unified is for cgroup v2");
        String id = newId();
        String unit = scope(id);
        bundle.shell("sleep 300").set("linux.resources.unified", Map.of("memory.high", Long.toString(48 * MIB), "pids.max", "25"));
        create(id).ok();
        Map<String, String> s = show(unit, "MemoryHigh", "TasksMax");
        assertEquals(Long.toString(48 * MIB), s.get("MemoryHigh"), s.toString());
        assertEquals("25", s.get("TasksMax"));
        assertEquals(Long.toString(48 * MIB), Files.readString(Path.of("/sys/fs/cgroup/system.slice", unit, "memory.high")).trim());
        crema.run("start", id).ok();
        assertDeletedCleanly(id, unit);
    }

    @Test
    void everyCommandWorksOnTheScope() throws Exception {
        requireSystemd();
        String id = newId();
        String unit = scope(id); // an empty cgroupsPath: system.slice, crema-ID.scope
        bundle.shell("sleep 300").set("linux.resources.memory", Map.of("limit", 64 * MIB));
        create(id).ok();
        crema.run("start", id).ok();
        assertEquals("running", Lifecycle.status(crema, id));
        String cgroup = crema.run("exec", id, "cat", "/proc/self/cgroup").ok().out();
        // in the container's cgroup namespace its scope is the root: "0::/" on v2, every hierarchy at "/" on v1
        assertTrue(cgroup.contains("/system.slice/" + unit) || cgroup.contains("::/\n")
                || cgroup.lines().allMatch(l -> l.endsWith(":/")), "exec joins the scope: " + cgroup);
        String hostView = Files.readString(Path.of("/proc", Integer.toString(pid(id)), "cgroup"));
        assertTrue(hostView.contains("/system.slice/" + unit), hostView);
        crema.run("update", "--memory", "96m", "--pids-limit", "30", id).ok();
        Map<String, String> s = show(unit, unified() ? "MemoryMax" : "MemoryLimit", "TasksMax");
        assertEquals(Long.toString(96 * MIB), s.get(unified() ? "MemoryMax" : "MemoryLimit"), s.toString());
        assertEquals("30", s.get("TasksMax"));
        assertEquals("running", Lifecycle.status(crema, id), "an update on v1 freezes the container only for its call");
        crema.run("pause", id).ok();
        assertEquals("paused", Lifecycle.status(crema, id));
        crema.run("update", "--pids-limit", "40", id).ok();
        assertEquals("paused", Lifecycle.status(crema, id), "an update leaves a paused container paused");
        assertEquals("40", show(unit, "TasksMax").get("TasksMax"));
        crema.run("resume", id).ok();
        assertEquals("running", Lifecycle.status(crema, id));
        String ps = crema.run("ps", "--format", "json", id).ok().out();
        assertTrue(ps.contains(Integer.toString(pid(id))), ps);
        String events = crema.run("events", "--stats", id).ok().out();
        assertTrue(events.contains("\"memory\""), events);
        crema.run("kill", "--all", id, "KILL").ok();
        assertDeletedCleanly(id, unit);
    }

    /** Killed just after the unit started (its helper then dies, and systemd may drop the empty scope) or with the init waiting. */
    @Test
    void aCrashOfCreateIsCleanedByDeleteForce() throws Exception {
        requireSystemd();
        bundle.shell("sleep 300").save();
        for (String point : List.of("create:spawned", "create:ready")) {
            String id = newId();
            String unit = scope(id);
            Crema.Result r = crema.runWith(Map.of("_CREMA_TEST_CRASH_AT", point), "--systemd-cgroup", "create", "--bundle",
                    bundle.dir.toString(), id);
            assertEquals(137, r.exit(), point + ": " + r.err());
            if (point.equals("create:ready")) assertEquals("active", show(unit, "ActiveState").get("ActiveState"), "the init holds the unit");
            assertDeletedCleanly(id, unit);
        }
    }

    @Test
    void aUnitOfThatNameIsRefusedAndKept() throws Exception {
        requireSystemd();
        String id = newId();
        String unit = scope(id);
        crema.shell("systemd-run --scope --unit=" + unit + " sleep 300 >/dev/null 2>&1 &");
        for (int i = 0; i < 200 && !"active".equals(show(unit, "ActiveState").get("ActiveState")); i++) Thread.sleep(100);
        assertEquals("active", show(unit, "ActiveState").get("ActiveState"), "the other scope did not start within 20 s");
        bundle.shell("sleep 300");
        Crema.Result r = create(id);
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains(unit), r.err());
        assertEquals("active", show(unit, "ActiveState").get("ActiveState"), "someone else's unit must survive");
        assertFalse(Files.exists(crema.root.resolve(id)));
        crema.shell("systemctl stop " + unit).ok();
    }

    /** systemd refuses the unit (a property it does not know): one line naming the unit and systemd's reason, nothing left. */
    @Test
    void aUnitSystemdRefusesFailsNamingItAndLeavesNothing() throws Exception {
        requireSystemd();
        bundle.shell("sleep 300").set("annotations", Map.of("org.systemd.property.NoSuchCremaProperty", "true"));
        String id = newId();
        Crema.Result r = create(id);
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("--systemd-cgroup: start unit " + scope(id) + ": StartTransientUnit: "), r.err());
        assertTrue(r.err().contains("NoSuchCremaProperty"), r.err());
        assertNothingLeft(id);
        assertUnitGone(scope(id));
    }

    /** podman with cgroup_manager=systemd passes --systemd-cgroup and machine.slice:libpod:ID: its container is a scope with the limit. */
    @Test
    void podmanWithTheSystemdCgroupManagerGetsAScope() throws Exception {
        requireSystemd();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/podman")), "podman is not installed");
        String image = "localhost/crema-lane-busybox";
        // storage of its own in the test's tmp (vfs: the lane's root is an overlay already)
        String podman = "podman --root " + tmp.resolve("podman-root") + " --runroot " + tmp.resolve("podman-run")
                + " --storage-driver vfs --events-backend file --runtime " + Crema.BINARY.toAbsolutePath() + " --cgroup-manager systemd ";
        crema.shell("tar -C " + bundle.rootfs + " -c . | " + podman + "import -q - " + image).ok();
        String cid = crema.shell(podman + "run -d --network none --memory 64m " + image + " sleep 300").ok().out().trim();
        String unit = "libpod-" + cid + ".scope";
        try {
            int pid = Integer.parseInt(crema.shell(podman + "inspect --format '{{.State.Pid}}' " + cid).ok().out().trim());
            String cgroup = Files.readString(Path.of("/proc", Integer.toString(pid), "cgroup"));
            assertTrue(cgroup.contains("/machine.slice/" + unit), cgroup);
            assertEquals(Long.toString(64 * MIB), show(unit, unified() ? "MemoryMax" : "MemoryLimit").values().iterator().next());
        } finally {
            crema.shell(podman + "rm -f -t 0 " + cid).ok();
        }
        assertUnitGone(unit);
    }
}

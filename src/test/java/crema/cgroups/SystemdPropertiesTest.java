package crema.cgroups;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.spec.BlockIo;
import crema.spec.Cpu;
import crema.spec.Memory;
import crema.spec.Pids;
import crema.spec.Resources;
import crema.state.ContainerException;
import crema.sys.SystemdBus.Pair;
import crema.sys.SystemdBus.Property;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** linux.resources → the unit properties runc gives systemd for them. */
class SystemdPropertiesTest {
    private static Resources res(Memory m, Cpu c, Pids p, BlockIo b) {
        return new Resources(null, m, c, p, b, null, null, null, null);
    }

    private static Map<String, Object> byName(List<Property> props) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Property p : props) m.put(p.name() + ":" + p.signature(), p.value());
        return m;
    }

    @Test
    void unifiedHostsGetTheV2Properties() {
        Resources r = res(new Memory(64L << 20, 32L << 20, 96L << 20, null, null, null, null, null, null),
                new Cpu(1024L, 50000L, null, 100000L, null, null, "0-1,3", "0", null), new Pids(20L),
                new BlockIo(500, null, null, null, null, null, null));
        Map<String, Object> p = byName(SystemdProperties.resources(r, null, true, 252));
        assertEquals(64L << 20, p.get("MemoryMax:t"));
        assertEquals(32L << 20, p.get("MemoryLow:t"));
        assertEquals(32L << 20, p.get("MemorySwapMax:t")); // v2 swap alone: memory+swap minus memory
        assertEquals(100L, p.get("CPUWeight:t"));
        assertEquals(500000L, p.get("CPUQuotaPerSecUSec:t"));
        assertEquals(100000L, p.get("CPUQuotaPeriodUSec:t"));
        assertEquals(20L, p.get("TasksMax:t"));
        assertEquals(Conversions.ioWeight(500), p.get("IOWeight:t"));
        assertArrayEquals(new byte[] {0b1011}, (byte[]) p.get("AllowedCPUs:ay"));
        assertArrayEquals(new byte[] {1}, (byte[]) p.get("AllowedMemoryNodes:ay"));
    }

    @Test
    void v1HostsGetTheLegacyProperties() {
        Resources r = res(new Memory(64L << 20, null, null, null, null, null, null, null, null),
                new Cpu(512L, null, null, null, null, null, "0", null, null), new Pids(-1L),
                new BlockIo(300, null, null, null, null, null, null));
        Map<String, Object> p = byName(SystemdProperties.resources(r, null, false, 252));
        assertEquals(64L << 20, p.get("MemoryLimit:t"));
        assertEquals(512L, p.get("CPUShares:t"));
        assertEquals(SystemdProperties.INFINITY, p.get("TasksMax:t"));
        assertEquals(300L, p.get("BlockIOWeight:t"));
        assertFalse(p.containsKey("AllowedCPUs:ay"), "cpuset is no v1 property of systemd: files only");
        assertFalse(p.containsKey("MemoryMax:t"));
    }

    @Test
    void aQuotaIsRoundedUpToWholePercentsAndMinusOneIsInfinity() {
        assertEquals(340000L, byName(SystemdProperties.resources(res(null, new Cpu(null, 33333L, null, 100000L, null, null, null, null, null),
                null, null), null, true, 252)).get("CPUQuotaPerSecUSec:t"));
        assertEquals(SystemdProperties.INFINITY, byName(SystemdProperties.resources(res(null, new Cpu(null, -1L, null, null, null, null,
                null, null, null), null, null), null, true, 252)).get("CPUQuotaPerSecUSec:t"));
    }

    @Test
    void propertiesAnOlderSystemdDoesNotKnowAreLeftOut() {
        Resources r = res(null, new Cpu(null, 50000L, null, 50000L, null, null, "0", null, null), null, null);
        Map<String, Object> p = byName(SystemdProperties.resources(r, null, true, 241));
        assertFalse(p.containsKey("CPUQuotaPeriodUSec:t"));
        assertFalse(p.containsKey("AllowedCPUs:ay"));
        assertEquals(1000000L, p.get("CPUQuotaPerSecUSec:t"));
    }

    @Test
    void denyAllThenAllowsIsAStrictPolicyWithDeviceAllow() {
        var drivers = SystemdProperties.drivers(List.of("Character devices:", "  1 mem", "136 pts", "", "Block devices:", "  8 sd"));
        List<DeviceRule> rules = List.of(new DeviceRule(false, 'a', -1, -1, "rwm"), new DeviceRule(true, 'c', 1, 3, "rwm"),
                new DeviceRule(true, 'c', 136, -1, "rw"), new DeviceRule(true, 'c', -1, -1, "m"), new DeviceRule(true, 'b', 8, -1, "r"));
        Map<String, Object> p = byName(SystemdProperties.devices(rules, drivers));
        assertEquals("strict", p.get("DevicePolicy:s"));
        assertEquals(List.of(new Pair("/dev/char/1:3", "rwm"), new Pair("char-pts", "rw"), new Pair("char-*", "m"), new Pair("block-sd", "r")),
                p.get("DeviceAllow:a(ss)"));
        assertEquals("auto", byName(SystemdProperties.devices(List.of(new DeviceRule(true, 'a', -1, -1, "rwm")), drivers)).get("DevicePolicy:s"));
    }

    @Test
    void rulesWithNoSystemdFormAreLeftToCremasOwnFilter() {
        var drivers = SystemdProperties.drivers(List.of("Character devices:", "  1 mem"));
        DeviceRule denyAll = new DeviceRule(false, 'a', -1, -1, "rwm");
        // a major /proc/devices does not name, and a deny after an allow
        assertEquals(List.of(), SystemdProperties.devices(List.of(denyAll, new DeviceRule(true, 'c', 250, -1, "rw")), drivers));
        assertEquals(List.of(), SystemdProperties.devices(List.of(denyAll, new DeviceRule(true, 'c', 1, -1, "rw"),
                new DeviceRule(false, 'c', 1, 3, "rw")), drivers));
    }

    @Test
    void theScopeIsDelegatedInItsSliceWithThePid() {
        Map<String, Object> p = byName(SystemdProperties.unit(SystemdUnitName.parse("machine.slice:libpod:x", "x"), "x", true, 42));
        assertEquals("machine.slice", p.get("Slice:s"));
        assertArrayEquals(new int[] {42}, (int[]) p.get("PIDs:au"));
        assertEquals(true, p.get("Delegate:b"));
        assertEquals(true, p.get("IOAccounting:b"));
    }

    @Test
    void annotationsArePassedInGVariantText() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("org.systemd.property.TimeoutStopUSec", "uint64 123456789");
        a.put("org.systemd.property.CollectMode", "'inactive-or-failed'");
        a.put("org.systemd.property.CPUAccounting", "true");
        a.put("other.annotation", "ignored");
        Map<String, Object> p = byName(SystemdProperties.annotations(a));
        assertEquals(Map.of("TimeoutStopUSec:t", 123456789L, "CollectMode:s", "inactive-or-failed", "CPUAccounting:b", true), p);
        var e = assertThrows(ContainerException.class,
                () -> SystemdProperties.annotations(Map.of("org.systemd.property.TimeoutStopUSec", "two minutes")));
        assertTrue(e.getMessage().startsWith("annotations.org.systemd.property.TimeoutStopUSec: "), e.getMessage());
        assertThrows(ContainerException.class, () -> SystemdProperties.annotations(Map.of("org.systemd.property.bad-name", "1")));
    }

    @Test
    void aBadCpuListNamesItsField() {
        var e = assertThrows(ContainerException.class, () -> SystemdProperties.resources(
                res(null, new Cpu(null, null, null, null, null, null, "0-x", null, null), null, null), null, true, 252));
        assertEquals("linux.resources.cpu.cpus: invalid list \"0-x\"", e.getMessage());
    }

    private static Resources unified(Map<String, String> files) {
        return new Resources(null, new Memory(64L << 20, null, null, null, null, null, null, null, null), null, new Pids(20L),
                null, null, null, null, files);
    }

    @Test
    void unifiedFilesSystemdKnowsBecomeTheirPropertiesAndWinOverTheFields() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("memory.max", "max");
        files.put("memory.high", "50331648");
        files.put("memory.min", "1048576");
        files.put("pids.max", "30");
        files.put("cpu.max", "25000 50000");
        files.put("cpu.weight", "200");
        files.put("cpuset.cpus", "1");
        files.put("io.bfq.weight", "50"); // no property: the file only
        List<Property> props = SystemdProperties.resources(unified(files), null, true, 252);
        Map<String, Object> p = byName(props);
        assertEquals(SystemdProperties.INFINITY, p.get("MemoryMax:t"));
        assertEquals(1, props.stream().filter(q -> q.name().equals("MemoryMax")).count(), "the file replaces memory.limit's property");
        assertEquals(48L << 20, p.get("MemoryHigh:t"));
        assertEquals(1L << 20, p.get("MemoryMin:t"));
        assertEquals(30L, p.get("TasksMax:t"));
        assertEquals(500000L, p.get("CPUQuotaPerSecUSec:t"));
        assertEquals(50000L, p.get("CPUQuotaPeriodUSec:t"));
        assertEquals(200L, p.get("CPUWeight:t"));
        assertArrayEquals(new byte[] {2}, (byte[]) p.get("AllowedCPUs:ay"));
        assertEquals(SystemdProperties.INFINITY, byName(SystemdProperties.resources(unified(Map.of("cpu.max", "max")), null, true, 252))
                .get("CPUQuotaPerSecUSec:t"));
        // on v1 the unified map gives no property (the v1 files refuse it)
        assertEquals(64L << 20, byName(SystemdProperties.resources(unified(files), null, false, 252)).get("MemoryLimit:t"));
    }

    @Test
    void aBadUnifiedValueNamesItsFile() {
        var e = assertThrows(ContainerException.class,
                () -> SystemdProperties.resources(unified(Map.of("memory.high", "lots")), null, true, 252));
        assertEquals("linux.resources.unified.memory.high: \"lots\" is not a number", e.getMessage());
        e = assertThrows(ContainerException.class,
                () -> SystemdProperties.resources(unified(Map.of("cpu.max", "1 2 3")), null, true, 252));
        assertTrue(e.getMessage().startsWith("linux.resources.unified.cpu.max: "), e.getMessage());
    }
}

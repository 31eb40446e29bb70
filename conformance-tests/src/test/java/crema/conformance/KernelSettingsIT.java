package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** sysctl, time namespace offsets, ioPriority, scheduler, CPU affinity, personality, memory policy, LSM labels, intelRdt. */
class KernelSettingsIT extends ConformanceBase {

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void sysctlsOfTheContainersNamespacesAreSet() {
        bundle.set("linux.sysctl", map("net.ipv4.ip_forward", "1", "kernel.shmmni", "1234", "kernel.domainname", "example.test"));
        bundle.shell("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/sys/kernel/domainname");
        assertEquals("1\n1234\nexample.test\n", runOk());
    }

    @Test
    void aSysctlOutsideTheContainersNamespacesIsRefused() {
        bundle.set("linux.sysctl", map("vm.swappiness", "10"));
        Crema.Result r = run();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("linux.sysctl[\"vm.swappiness\"]: is not in a separate kernel namespace"), r.err());
        bundle.list("linux.namespaces").removeIf(n -> "network".equals(((Map<?, ?>) n).get("type")));
        bundle.set("linux.sysctl", map("net.ipv4.ip_forward", "1"));
        r = run();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("needs the container's own network namespace"), r.err());
    }

    @Test
    void timeNamespaceOffsets() {
        bundle.list("linux.namespaces").add(map("type", "time"));
        bundle.set("linux.timeOffsets", map("monotonic", map("secs", 864000, "nanosecs", 0), "boottime", map("secs", 1000, "nanosecs", 5)));
        bundle.shell("cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime");
        String out = runOk();
        assertTrue(out.matches("(?s)monotonic\\s+864000\\s+0\\nboottime\\s+1000\\s+5\\n\\d+\\n"), out);
        // uptime follows the boottime clock: at least the offset.
        long uptime = Long.parseLong(out.lines().toList().get(2).trim());
        assertTrue(uptime >= 1000, out);
    }

    @Test
    void ioPrioritySchedulerAffinityPersonalityAndMemoryPolicy() {
        bundle.set("process.ioPriority", map("class", "IOPRIO_CLASS_IDLE", "priority", 0));
        bundle.set("process.scheduler", map("policy", "SCHED_BATCH", "nice", 7));
        bundle.set("process.execCPUAffinity", map("final", "0"));
        bundle.set("linux.personality", map("domain", "LINUX32"));
        bundle.set("linux.memoryPolicy", map("mode", "MPOL_BIND", "nodes", "0"));
        bundle.shell("ionice; grep -E '^policy' /proc/self/sched | tr -d ' '; cut -d' ' -f19 /proc/self/stat;"
                + " grep Cpus_allowed_list /proc/self/status | tr -d '\\t '; cat /proc/self/personality;"
                + " grep -c 'bind:0' /proc/self/numa_maps >/dev/null && echo bound");
        assertEquals("idle\npolicy:3\n7\nCpus_allowed_list:0\n00000008\nbound\n", runOk());
    }

    @Test
    void lsmLabelsAreIgnoredOnAHostWithoutTheLsm() {
        // This host runs neither AppArmor nor SELinux: runc ignores the labels too.
        bundle.set("process.apparmorProfile", "some-profile");
        bundle.set("process.selinuxLabel", "system_u:system_r:container_t:s0");
        bundle.shell("echo ok");
        assertEquals("ok\n", runOk());
    }

    @Test
    void intelRdtIsClearlyUnsupportedWithoutResctrl() throws Exception {
        bundle.set("linux.intelRdt", map("closID", "x"));
        assertCreateFailsCleanly("linux.intelRdt: not supported here: resctrl is not mounted");
    }

    @Test
    void unknownSchedulerPolicyNamesItsField() {
        bundle.set("process.scheduler", map("policy", "SCHED_NOPE"));
        Crema.Result r = run();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("process.scheduler.policy: unknown policy \"SCHED_NOPE\""), r.err());
        assertTrue(List.of(r.err().split("\n")).size() == 1, r.err());
    }

    @Test
    void aNetDeviceMovesIntoTheContainerUnderItsNewName() throws Exception {
        String host = "crv" + ProcessHandle.current().pid() % 100000;
        Process add = new ProcessBuilder("ip", "link", "add", host, "type", "veth", "peer", "name", host + "p").inheritIO().start();
        assertEquals(0, add.waitFor());
        try {
            bundle.set("linux.netDevices", map(host, map("name", "eth7")));
            bundle.shell("ls /sys/class/net | tr '\\n' ' '");
            assertEquals("eth7 lo ", runOk());
            // The veth pair died with the container's namespace.
            assertEquals(1, new ProcessBuilder("ip", "link", "show", host + "p").start().waitFor());
        } finally {
            new ProcessBuilder("ip", "link", "del", host).start().waitFor();
        }
    }
}

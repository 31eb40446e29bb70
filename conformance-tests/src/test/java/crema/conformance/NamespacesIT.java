package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** linux.namespaces: new ones, and joining one by path. */
class NamespacesIT extends ConformanceBase {

    @Test
    void theProcessIsPid1InItsPidNamespace() {
        bundle.shell("echo $$");
        assertEquals("1\n", runOk());
    }

    @Test
    void aNewNetworkNamespaceHasOnlyLoopback() {
        bundle.shell("ls /sys/class/net");
        assertEquals("lo\n", runOk());
    }

    @Test
    void everyNamespaceDiffersFromTheHosts() throws Exception {
        StringBuilder expected = new StringBuilder();
        for (String ns : List.of("pid", "net", "ipc", "uts", "mnt", "cgroup")) {
            expected.append(Files.readSymbolicLink(Path.of("/proc/self/ns", ns))).append('\n');
        }
        bundle.shell("for n in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$n; done");
        for (String line : runOk().lines().toList()) {
            assertNotEquals(true, expected.toString().contains(line + "\n"), line + " is the host's");
        }
    }

    @Test
    void joinsANetworkNamespaceByPath() throws Exception {
        bundle.shell("sleep 300").save();
        String first = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), first).ok();
        int pid = Lifecycle.pid(crema, first);
        String netns = Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", "net")).toString();

        List<Object> namespaces = bundle.list("linux.namespaces");
        namespaces.removeIf(n -> "network".equals(((Map<?, ?>) n).get("type")));
        namespaces.add(new LinkedHashMap<>(Map.of("type", "network", "path", "/proc/" + pid + "/ns/net")));
        bundle.shell("readlink /proc/self/ns/net");
        assertEquals(netns + "\n", runOk());
    }
}

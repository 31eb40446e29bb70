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

    /** As runc and crun (runtime-tools' linux_ns_path): the rootfs is set up in the joined mount namespace. */
    @Test
    void joinsAMountNamespaceByPath() throws Exception {
        String hostMnt = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        List<String> hostMounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        Process holder = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sleep", "300")
                .redirectErrorStream(true).start();
        try {
            Path nsLink = Path.of("/proc", Long.toString(holder.pid()), "ns", "mnt");
            String mnt = hostMnt;
            for (long deadline = System.nanoTime() + 5_000_000_000L; mnt.equals(hostMnt) && System.nanoTime() < deadline; ) {
                Thread.sleep(20);
                mnt = Files.readSymbolicLink(nsLink).toString();
            }
            assertNotEquals(hostMnt, mnt, "unshare did not make a mount namespace");
            List<Object> namespaces = bundle.list("linux.namespaces");
            namespaces.removeIf(n -> "mount".equals(((Map<?, ?>) n).get("type")));
            namespaces.add(new LinkedHashMap<>(Map.of("type", "mount", "path", nsLink.toString())));
            bundle.shell("readlink /proc/self/ns/mnt; ls /bin/busybox");
            assertEquals(mnt + "\n/bin/busybox\n", runOk());
            assertEquals(hostMounts, Files.readAllLines(Path.of("/proc/self/mountinfo")), "the host's mounts changed");
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** Setting a rootfs up in the host's own mount namespace would pivot the host's root: refused. */
    @Test
    void theHostsMountNamespaceIsRefused() throws Exception {
        List<Object> namespaces = bundle.list("linux.namespaces");
        namespaces.removeIf(n -> "mount".equals(((Map<?, ?>) n).get("type")));
        namespaces.add(new LinkedHashMap<>(Map.of("type", "mount", "path", "/proc/" + ProcessHandle.current().pid() + "/ns/mnt")));
        assertCreateFailsCleanly("is the host's mount namespace; the container needs a mount namespace of its own");
    }
}

package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** linux.uidMappings/gidMappings with a new user namespace, and joining one by path. */
class UserNamespaceIT extends ConformanceBase {

    /** The container's root is an unprivileged host id: it must be able to reach the rootfs, as with runc. */
    private void userns(long hostId) {
        try {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        bundle.list("linux.namespaces").add(new LinkedHashMap<>(Map.of("type", "user")));
        bundle.set("linux.uidMappings", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("containerID", 0, "hostID", hostId, "size", 65536)))));
        bundle.set("linux.gidMappings", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("containerID", 0, "hostID", hostId, "size", 65536)))));
    }

    @Test
    void rootInsideIsAnUnprivilegedIdOutside() throws Exception {
        userns(200000);
        bundle.shell("cat /proc/self/uid_map /proc/self/gid_map; id -u; sleep 300").save();
        String id = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), id).ok();
        int pid = Lifecycle.pid(crema, id);
        String status = Files.readString(Path.of("/proc", Integer.toString(pid), "status"));
        assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+200000\\s+200000\\s+200000\\s+200000")), status);
        assertTrue(status.lines().anyMatch(l -> l.matches("Gid:\\s+200000\\s+200000\\s+200000\\s+200000")), status);
    }

    @Test
    void everyDefaultMountAndDeviceWorksInsideAUserNamespace() {
        userns(300000);
        bundle.shell("cat /proc/self/uid_map; id -u; ls /sys/class/net; stat -c '%t:%T' /dev/null; echo x > /dev/null && echo null-ok;"
                + " grep -c cgroup /proc/self/mounts >/dev/null && echo cgroup-ok; touch /dev/shm/x && echo shm-ok");
        String out = runOk();
        assertTrue(out.matches("\\s*0\\s+300000\\s+65536\\n0\\nlo\\n1:3\\nnull-ok\\ncgroup-ok\\nshm-ok\\n"), out);
    }

    /**
     * The IPC namespace belongs to the container's root: its mqueue filesystem is owned by
     * uid and gid 0 inside (it was the overflow uid when clone made the IPC namespace as the
     * host's root), queues can be made in it, and it is not the host's IPC namespace.
     */
    @Test
    void mqueueBelongsToTheContainersRoot() throws Exception {
        userns(350000);
        bundle.shell("stat -c '%u:%g' /dev/mqueue; touch /dev/mqueue/q && stat -c 'queue %u:%g' /dev/mqueue/q;"
                + " readlink /proc/self/ns/ipc");
        String out = runOk();
        String hostIpc = Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString();
        assertTrue(out.startsWith("0:0\nqueue 0:0\nipc:["), out);
        assertFalse(out.contains(hostIpc), out);
    }

    @Test
    void joinsAUserNamespaceByPath() throws Exception {
        userns(400000);
        bundle.shell("sleep 300").save();
        String first = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), first).ok();
        int pid = Lifecycle.pid(crema, first);
        String userns = Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", "user")).toString();

        Bundle second = new Bundle(tmp.resolve("second"), crema);
        List<Object> namespaces = second.list("linux.namespaces");
        namespaces.add(new LinkedHashMap<>(Map.of("type", "user", "path", "/proc/" + pid + "/ns/user")));
        // The network namespace must belong to the user namespace for sysfs: join the first one's.
        namespaces.removeIf(n -> "network".equals(((Map<?, ?>) n).get("type")));
        namespaces.add(new LinkedHashMap<>(Map.of("type", "network", "path", "/proc/" + pid + "/ns/net")));
        second.shell("readlink /proc/self/ns/user; cat /proc/self/uid_map").save();
        String out = crema.run("run", "--bundle", second.dir.toString(), newId()).ok().out();
        assertTrue(out.startsWith(userns + "\n"), out);
        assertTrue(out.contains("400000"), out);
    }

    /**
     * A bind source that only the host's root can reach (below a 0700 directory of root's, or of another
     * user's) is opened by crema-init while it is still the host's root, as runc and crun open it: the
     * container's root, an unprivileged id outside, could not.
     */
    @Test
    void bindSourcesOnlyTheHostsRootCanReach() throws Exception {
        userns(500000);
        List<String> sources = new ArrayList<>();
        for (int owner : new int[] {0, 1234}) {
            Path closed = tmp.resolve("closed-" + owner), data = closed.resolve("data");
            Files.createDirectories(data);
            Files.writeString(data.resolve("f"), "from-" + owner);
            Files.setPosixFilePermissions(closed, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Files.setAttribute(closed, "unix:uid", owner);
            sources.add(data.toString());
        }
        for (int i = 0; i < sources.size(); i++) {
            Files.createDirectories(bundle.rootfs.resolve("src" + i)); // as an image has them: root's rootfs
            bundle.list("mounts").add(new LinkedHashMap<>(Map.of("destination", "/src" + i, "type", "bind",
                    "source", sources.get(i), "options", List.of("rbind", "ro"))));
        }
        bundle.shell("cat /src0/f; echo; cat /src1/f");
        assertEquals("from-0\nfrom-1234", runOk().strip());
    }

    @Test
    void mappingsWithoutAUserNamespaceAreRefused() throws Exception {
        bundle.set("linux.uidMappings", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("containerID", 0, "hostID", 1000, "size", 1)))));
        Crema.Result r = run();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("linux.uidMappings: mappings need a new user namespace"), r.err());
    }
}

package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Regressions for the runtime advisories DESIGN.md lists. */
class SecurityIT extends ConformanceBase {

    /** CVE-2024-21626: a cwd of /proc/self/fd/N must never land in a host directory an fd still names. */
    @Test
    void aCwdThroughAnFdNeverReachesTheHost() {
        bundle.set("root.readonly", false);
        bundle.shell("pwd; ls");
        for (int fd = 3; fd < 12; fd++) {
            for (String cwd : List.of("/proc/self/fd/" + fd, "/proc/1/fd/" + fd, "/proc/thread-self/fd/" + fd)) {
                bundle.set("process.cwd", cwd);
                Crema.Result r = run();
                assertTrue(r.exit() != 0 || r.out().startsWith("/") && !r.out().contains("state.json"),
                        cwd + " escaped: " + r.out() + r.err());
            }
        }
    }

    @Test
    void cremaInitRefusesToRunByHand() throws Exception {
        Path helper = Crema.BINARY.getParent().resolve("../lib/crema/crema-init").normalize();
        Process p = new ProcessBuilder(helper.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(2, p.waitFor());
        assertTrue(out.contains("not a command"), out);
    }

    @Test
    void theInitIsNotDumpableWhileItWaits() throws Exception {
        // A non-dumpable process's /proc files belong to root, whatever its uid: a container
        // user cannot reach the helper's memory or /proc/<pid>/exe through them.
        bundle.set("process.user", new java.util.LinkedHashMap<>(java.util.Map.of("uid", 1000, "gid", 1000)));
        bundle.shell("true").save();
        String id = newId();
        crema.run("create", "--bundle", bundle.dir.toString(), id).ok();
        int pid = Lifecycle.pid(crema, id);
        var owner = java.nio.file.Files.getOwner(Path.of("/proc", Integer.toString(pid), "mem"));
        assertEquals("root", owner.getName());
        // And it has not switched users yet on the way: its exe is the helper, unreadable to others.
        String exe = java.nio.file.Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "exe")).toString();
        assertTrue(exe.endsWith("crema-init") || exe.contains("memfd"), exe);
    }

    /** CVE-2019-16884 class: a volume over /proc must not receive the sysctl writes meant for procfs. */
    @Test
    void sysctlWritesGoOnlyToARealProcfs() throws Exception {
        java.nio.file.Path fake = java.nio.file.Files.createDirectories(tmp.resolve("fakeproc/sys/net/ipv4"));
        java.nio.file.Files.writeString(fake.resolve("ip_forward"), "untouched\n");
        bundle.list("mounts").add(1, new java.util.LinkedHashMap<>(java.util.Map.of("destination", "/proc", "type", "bind",
                "source", tmp.resolve("fakeproc").toString(), "options", new ArrayList<>(List.of("rbind")))));
        bundle.set("linux.sysctl", new java.util.LinkedHashMap<>(java.util.Map.of("net.ipv4.ip_forward", "1")));
        bundle.set("linux.maskedPaths", new ArrayList<>());
        bundle.set("linux.readonlyPaths", new ArrayList<>());
        assertCreateFailsCleanly("is not on the container's procfs");
        assertEquals("untouched\n", java.nio.file.Files.readString(fake.resolve("ip_forward")));
    }

    /**
     * Symlink-exchange race on a mount destination (CVE-2021-30465 class): while the host swaps
     * /mnt between a directory and a symlink out of the rootfs, no mount ever lands outside it.
     */
    @Test
    void aDestinationSwappedForASymlinkDuringCreate() throws Exception {
        java.nio.file.Path outside = java.nio.file.Files.createDirectories(tmp.resolve("outside"));
        java.nio.file.Path data = java.nio.file.Files.createDirectories(tmp.resolve("data"));
        java.nio.file.Files.writeString(data.resolve("f"), "data\n");
        java.nio.file.Path mnt = java.nio.file.Files.createDirectories(bundle.rootfs.resolve("mnt"));
        java.nio.file.Path link = bundle.rootfs.resolve("mnt-link");
        java.nio.file.Files.createSymbolicLink(link, outside);
        bundle.list("mounts").add(new java.util.LinkedHashMap<>(java.util.Map.of("destination", "/mnt", "type", "bind",
                "source", data.toString(), "options", new ArrayList<>(List.of("rbind", "ro")))));
        bundle.shell("cat /mnt/f 2>/dev/null; true").save();
        // mv -T a b swaps nothing; exchange with renameat2 through busybox is not available: swap by two renames.
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread swapper = Thread.ofPlatform().start(() -> {
            java.nio.file.Path tmpName = bundle.rootfs.resolve("mnt-swap");
            while (!stop.get()) {
                try {
                    java.nio.file.Files.move(mnt, tmpName);
                    java.nio.file.Files.move(link, mnt);
                    java.nio.file.Files.move(mnt, link);
                    java.nio.file.Files.move(tmpName, mnt);
                } catch (java.io.IOException e) {
                    // a create made the dir meanwhile: go on swapping
                }
            }
        });
        try {
            for (int i = 0; i < 15; i++) {
                Crema.Result r = crema.run("run", "--bundle", bundle.dir.toString(), newId());
                assertTrue(r.exit() == 0 || r.exit() == 1, r.err());
                try (var s = java.nio.file.Files.list(outside)) {
                    assertEquals(List.of(), s.toList(), "something landed outside the rootfs");
                }
            }
        } finally {
            stop.set(true);
            swapper.join();
        }
    }

    /**
     * runc's no-pivot hardening (runc PR 1962): a new user namespace may mount a fresh procfs or
     * sysfs only where a full one is already visible. With --no-pivot the host's /proc and /sys stay
     * in the container's mount namespace, out of sight under the moved rootfs: a process that makes
     * a user, mount and pid (and net) namespace must still be refused, as it is after pivot_root.
     * Shown by a root container (runc's own regression config) and by a user namespace container.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aNoPivotContainerCannotMountAFreshProcOrSysfs(boolean userNamespace) throws Exception {
        if (userNamespace) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            bundle.list("linux.namespaces").add(new LinkedHashMap<>(Map.of("type", "user")));
            for (String ids : List.of("linux.uidMappings", "linux.gidMappings")) {
                bundle.set(ids, new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("containerID", 0, "hostID", 400000, "size", 65536)))));
            }
        }
        // mapping root into the nested user namespace needs CAP_SETFCAP in the container
        for (String set : List.of("bounding", "effective", "permitted")) bundle.list("process.capabilities." + set).add("CAP_SETFCAP");
        bundle.shell("unshare -mrpf mount -t tmpfs tmpfs /tmp && echo tmpfs=mounted;"
                + " unshare -mrpf mount -t proc proc /tmp 2>/dev/null && echo proc=mounted || echo proc=refused;"
                + " unshare -mrpfn mount -t sysfs sysfs /tmp 2>/dev/null && echo sysfs=mounted || echo sysfs=refused").save();
        String pivoted = crema.run("run", "--bundle", bundle.dir.toString(), newId()).ok().out();
        assumeTrue(pivoted.startsWith("tmpfs=mounted\n"), "no nested user namespaces here: " + pivoted);
        assertEquals("tmpfs=mounted\nproc=refused\nsysfs=refused\n", pivoted);
        String noPivot = crema.run("run", "--no-pivot", "--bundle", bundle.dir.toString(), newId()).ok().out();
        assertEquals(pivoted, noPivot);
    }

    /** CVE-2022-29162: exec never hands out inheritable capabilities, whatever --cap asks. */
    @Test
    void execGivesNoInheritableCapabilities() throws Exception {
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), id).ok();
        for (List<String> extra : List.of(List.<String>of(), List.of("--cap", "CAP_KILL"), List.of("--cap", "CAP_NET_BIND_SERVICE"))) {
            List<String> cmd = new ArrayList<>(List.of("exec"));
            cmd.addAll(extra);
            cmd.addAll(List.of(id, "grep", "-E", "^Cap(Inh|Amb)", "/proc/self/status"));
            String out = crema.run(cmd.toArray(String[]::new)).ok().out();
            assertEquals("CapInh:\t0000000000000000\nCapAmb:\t0000000000000000\n", out, extra.toString());
        }
    }

    /**
     * crun's CVE-2026-30892 class: uid or gid 4294967295 is (uid_t) -1, which setresuid takes as
     * "leave it", so the process stayed root. Refused, as runc refuses it, in config.json and for exec.
     */
    @Test
    void uid4294967295NeverMeansRoot() throws Exception {
        bundle.set("process.user", new java.util.LinkedHashMap<>(java.util.Map.of("uid", 4294967295L, "gid", 4294967295L)));
        bundle.shell("id");
        assertCreateFailsCleanly("uids and gids must be in range 0-2147483647");
        bundle.set("process.user", new java.util.LinkedHashMap<>(java.util.Map.of("uid", 0, "gid", 0)));
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), id).ok();
        for (String user : List.of("4294967295", "4294967295:4294967295", "1000:4294967295")) {
            Crema.Result r = crema.run("exec", "--user", user, id, "id");
            assertTrue(r.exit() != 0 && !r.out().contains("uid=0") && r.err().contains("uids and gids must be in range"),
                    user + ": " + r.out() + r.err());
        }
    }

    /**
     * runc's "not allowed in host network namespace": a net.* sysctl with the host's network
     * namespace joined by path would be written to the host. Refused; the host's value stays.
     */
    @Test
    void aSysctlIsNeverWrittenToTheHostsNetworkNamespace() throws Exception {
        Path key = Path.of("/proc/sys/net/ipv4/tcp_keepalive_probes");
        String before = java.nio.file.Files.readString(key).trim();
        String other = before.equals("7") ? "8" : "7";
        List<Object> namespaces = bundle.list("linux.namespaces");
        namespaces.removeIf(n -> "network".equals(((java.util.Map<?, ?>) n).get("type")));
        namespaces.add(new java.util.LinkedHashMap<>(java.util.Map.of("type", "network", "path", "/proc/" + ProcessHandle.current().pid() + "/ns/net")));
        bundle.set("linux.sysctl", new java.util.LinkedHashMap<>(java.util.Map.of("net.ipv4.tcp_keepalive_probes", other)));
        bundle.shell("true");
        assertCreateFailsCleanly("needs the container's own network namespace");
        assertEquals(before, java.nio.file.Files.readString(key).trim());
    }

    /**
     * Issue 11, finding 4: a container's env (DB_PASSWORD=...) sits in its saved config.json.
     * Another local user must not reach any of the state: runc's modes, root 0700 (with the
     * parents crema makes), container dir 0711, files 0600, exec.fifo 0622 for a non-root init,
     * whatever the caller's umask. exec writes nothing into the state dir (its process file stays the caller's).
     */
    @Test
    void theStateIsUnreadableToOtherUsers() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        crema = new Crema(tmp.resolve("made/root")); // crema makes both
        String secret = "s3cret-" + ProcessHandle.current().pid();
        bundle.list("process.env").add("DB_PASSWORD=" + secret);
        Map<String, Object> hook = new LinkedHashMap<>(Map.of("path", "/bin/true"));
        bundle.set("hooks", new LinkedHashMap<>(Map.of("poststart", new ArrayList<>(List.of(hook)),
                "poststop", new ArrayList<>(List.of(hook)))));
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.shell("umask 0; NOTIFY_SOCKET=" + tmp.resolve("host.sock") + " $CREMA create --bundle " + bundle.dir + " " + id).ok();
        Path process = Files.writeString(tmp.resolve("process.json"),
                "{\"args\": [\"sleep\", \"300\"], \"cwd\": \"/\", \"env\": [\"TOKEN=" + secret + "\"]}");
        crema.shell("umask 0; $CREMA exec -d --process " + process + " " + id).ok();

        Path root = crema.root, dir = root.resolve(id);
        for (String read : List.of("ls " + root, "ls " + dir, "cat " + dir + "/*", "cat " + dir + "/state.json",
                "cat " + dir + "/config.json", "cat " + dir + "/exec.json", "cat " + dir + "/hooks.json")) {
            Crema.Result r = crema.shell("setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '" + read + "'");
            assertNotEquals(0, r.exit(), "nobody could " + read + ": " + r.out());
            assertFalse(r.out().contains(secret), read + ": " + r.out());
        }
        Map<String, String> want = new TreeMap<>(Map.of("made", "rwx------", "made/root", "rwx------", id, "rwx--x--x",
                id + "/state.json", "rw-------", id + "/config.json", "rw-------", id + "/exec.json", "rw-------",
                id + "/hooks.json", "rw-------", id + "/exec.fifo", "rw--w--w-", id + "/notify", "rwx--x--x"));
        Map<String, String> got = new TreeMap<>();
        got.put("made", mode(tmp.resolve("made")));
        got.put("made/root", mode(root));
        got.put(id, mode(dir));
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) got.put(id + "/" + p.getFileName(), mode(p));
        }
        assertEquals(want, got);
        assertEquals("created", Lifecycle.status(crema, id), "root still reads it");
    }

    private static String mode(Path p) throws java.io.IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * Issue 11, finding 5a: a cgroupsPath naming a cgroup with a host process in it is refused
     * (runc 1.2 refuses it too; runc 1.1.5 only warns "container's cgroup is not empty" and goes on,
     * and its delete then tries to rmdir the cgroup it did not make). The process, the cgroup and
     * nothing of the container remain.
     */
    @Test
    void createRefusesACgroupWithAHostProcessInIt() throws Exception {
        inOwnCgroup("crema-busy", (name, dirs, hostSleep) -> {
            Process host = hostSleep.call();
            bundle.set("linux.cgroupsPath", "/" + name);
            bundle.shell("sleep 300");
            Crema.Result r = assertCreateFailsCleanly("is not empty");
            assertTrue(dirs.stream().anyMatch(d -> r.err().contains(d.toString())), "names the cgroup: " + r.err());
            assertFalse(host.waitFor(200, TimeUnit.MILLISECONDS), "the host process was killed");
            for (Path d : dirs) assertTrue(CgroupFs.holds(d, host.pid()), d + " lost the host process, or was removed");
        });
    }

    /**
     * Issue 11, finding 5b: a container reusing an (empty) cgroup crema did not make; a host process
     * is put in it after create. delete --force kills the container and nothing else, and leaves the
     * cgroup. Also without a pid namespace of its own, where runc 1.1.5 kills every process in the
     * cgroup (with one, it kills only the init, as here; but it removes the cgroup it did not make).
     */
    @Test
    void deleteForceInAReusedCgroupKillsOnlyTheContainer() throws Exception {
        for (boolean ownPidNamespace : List.of(true, false)) {
            inOwnCgroup("crema-reused-" + (ownPidNamespace ? "pidns" : "hostpid"), (name, dirs, hostSleep) -> {
                String id = createdIn(name, ownPidNamespace);
                int init = Lifecycle.pid(crema, id);
                Process host = hostSleep.call();
                crema.run("delete", "--force", id).ok();
                assertFalse(host.waitFor(200, TimeUnit.MILLISECONDS), "delete --force killed a host process (own pid namespace: "
                        + ownPidNamespace + ")");
                assertFalse(Lifecycle.alive(init), "the container's init survived");
                assertFalse(Files.exists(crema.root.resolve(id)));
                for (Path d : dirs) assertTrue(CgroupFs.holds(d, host.pid()), d + " was removed");
            });
        }
    }

    /** Issue 11, finding 5: kill --all in a reused cgroup signals the container, not a host process in it. */
    @Test
    void killAllInAReusedCgroupSignalsOnlyTheContainer() throws Exception {
        inOwnCgroup("crema-killall", (name, dirs, hostSleep) -> {
            String id = createdIn(name, true);
            crema.run("start", id).ok();
            Process host = hostSleep.call();
            crema.run("kill", "--all", id, "KILL").ok();
            Lifecycle.awaitStatus(crema, id, "stopped");
            crema.run("delete", id).ok();
            assertFalse(host.waitFor(200, TimeUnit.MILLISECONDS), "kill --all killed a host process");
        });
    }

    /** A test given its own cgroup /name (every tree) and a way to start a host sleep in it. */
    private interface CgroupTest {
        void run(String name, List<Path> dirs, java.util.concurrent.Callable<Process> hostSleep) throws Exception;
    }

    /** Runs test with the cgroup; then removes the containers, the host sleeps and the cgroup, whatever happened. */
    private void inOwnCgroup(String prefix, CgroupTest test) throws Exception {
        String name = prefix + "-" + ProcessHandle.current().pid();
        List<Path> dirs = CgroupFs.makeEverywhere(name);
        List<Process> hosts = new ArrayList<>();
        try {
            test.run(name, dirs, () -> {
                Process p = new ProcessBuilder("sleep", "300").start();
                hosts.add(p);
                CgroupFs.moveInto(dirs, p.pid());
                return p;
            });
        } finally {
            tearDown(); // a container still in the cgroup (a failure above) keeps it busy
            for (Process p : hosts) {
                p.destroyForcibly();
                p.waitFor();
            }
            CgroupFs.remove(dirs);
        }
    }

    /** A created container whose init is sleep, in the cgroup /name. */
    private String createdIn(String name, boolean ownPidNamespace) {
        bundle.set("linux.cgroupsPath", "/" + name);
        bundle.set("process.args", new ArrayList<>(List.of("sleep", "300")));
        if (!ownPidNamespace) bundle.list("linux.namespaces").removeIf(n -> "pid".equals(((Map<?, ?>) n).get("type")));
        bundle.save();
        String id = newId();
        crema.run("create", "--bundle", bundle.dir.toString(), id).ok();
        return id;
    }
}

package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * crema run by a user without privileges (made by the test, removed after it),
 * on a busybox bundle from `crema spec --rootless`, as runc runs it rootless:
 * each behaviour is checked from inside the container and, where runc is
 * installed, compared with runc run the same way by the same user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RootlessIT {
    private static final Path CREMA = Crema.BINARY.toAbsolutePath();
    private static final AtomicInteger SEQ = new AtomicInteger();
    private TestUser user;
    private TestUser other;

    @BeforeAll
    void setUp() {
        assumeTrue("root".equals(System.getProperty("user.name")), "the test makes users: it needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/useradd")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs useradd and setpriv");
        user = TestUser.create("crl");
        other = TestUser.create("crlo");
    }

    @AfterAll
    void tearDown() {
        List<String> errors = new ArrayList<>();
        for (TestUser u : new TestUser[] {user, other}) {
            if (u == null) continue;
            try {
                u.close();
            } catch (AssertionError e) {
                errors.add(e.getMessage());
            }
        }
        assertEquals(List.of(), errors);
    }

    private static String newId() {
        return "rl" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    }

    /** A busybox bundle the user makes with `crema spec --rootless`, terminal off, running line. */
    private Bundle bundle(TestUser u, String line) {
        Path dir = u.home.resolve("b-" + SEQ.incrementAndGet());
        u.sh("mkdir -p " + dir + "/rootfs/bin " + dir + "/rootfs/proc " + dir + "/rootfs/sys " + dir + "/rootfs/dev " + dir + "/rootfs/tmp"
                + " && cp /bin/busybox " + dir + "/rootfs/bin/ && for a in $(busybox --list); do"
                + " [ $a = busybox ] || ln -s busybox " + dir + "/rootfs/bin/$a; done"
                + " && cd " + dir + " && " + CREMA + " spec --rootless").ok();
        Bundle b = new Bundle(dir);
        b.set("process.terminal", false);
        return b.shell(line).save();
    }

    private TestUser.Result crema(TestUser u, String args) {
        return u.sh(CREMA + " " + args);
    }

    private static boolean haveRunc() {
        return Files.isExecutable(Path.of("/usr/sbin/runc"));
    }

    /** What an identity probe prints: ids, maps, setgroups, /dev, what /sys is, the capabilities. */
    private static final String PROBE = "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups"
            + " | tr -s ' '; ls /dev | tr '\\n' ' '; echo; ls -ln /dev/null | cut -c1-10;"
            + " grep ' /sys ' /proc/self/mountinfo | cut -d' ' -f6 | tr ',' '\\n' | grep -x ro;"
            + " grep CapEff /proc/self/status; echo x > /sys/kernel/profiling 2>/dev/null || echo sys-not-writable";

    @Test
    void whatTheContainerSeesIsWhatRuncsSees() {
        Bundle b = bundle(user, PROBE);
        String out = crema(user, "run --bundle " + b.dir + " " + newId()).ok().out();
        assertTrue(out.startsWith("0\n0\n 0 " + user.uid + " 1\n 0 " + user.gid + " 1\ndeny\n"), out);
        assertTrue(out.contains("crw-rw-rw-") && out.contains("null") && out.contains("sys-not-writable"), out);
        if (haveRunc()) {
            String runc = user.sh("cd " + b.dir + " && runc run " + newId()).ok().out();
            assertEquals(runc, out);
        }
    }

    @Test
    void theLifecycleWorksAndTheStateIsTheUsers() throws IOException {
        Bundle b = bundle(user, "echo started > /dev/shm/x; exec sleep 300");
        String id = newId();
        crema(user, "create --bundle " + b.dir + " " + id).ok();
        try {
            lifecycle(id);
        } finally {
            crema(user, "delete --force " + id);
        }
    }

    private void lifecycle(String id) throws IOException {
        Path root = user.runtimeDir.resolve("crema");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
        assertEquals(user.uid, (int) Files.getAttribute(root.resolve(id), "unix:uid"));
        assertTrue(crema(user, "state " + id).ok().out().contains("\"status\": \"created\""));
        crema(user, "start " + id).ok();
        assertTrue(crema(user, "state " + id).ok().out().contains("\"status\": \"running\""));
        // exec joins the container's user namespace first: it is root there, its host uid the user's
        String line = "cat /dev/shm/x 2>/dev/null; id -u; cat /proc/self/uid_map | tr -s \" \"";
        String exec = "";
        for (int i = 0; i < 50 && !exec.startsWith("started"); i++) { // the shell writes it once it runs
            exec = crema(user, "exec " + id + " sh -c '" + line + "'").ok().out();
        }
        assertEquals("started\n0\n 0 " + user.uid + " 1\n", exec);
        assertEquals(7, crema(user, "exec " + id + " sh -c 'exit 7'").exit());
        assertTrue(crema(user, "list").ok().out().contains(id));
        String ps = crema(user, "ps --format json " + id).ok().out().trim();
        assertTrue(ps.matches("\\[\\d+(,\\s*\\d+)*\\]"), ps);
        // nothing to freeze or limit it with: refused, not pretended
        TestUser.Result pause = crema(user, "pause " + id);
        assertEquals(1, pause.exit());
        assertTrue(pause.err().contains("pause: the container has no cgroup of its own"), pause.err());
        assertTrue(crema(user, "state " + id).ok().out().contains("\"status\": \"running\""));
        crema(user, "kill " + id + " KILL").ok();
        assertTrue(waitForStatus(id, "stopped"), "the container did not stop");
        crema(user, "delete " + id).ok();
        assertFalse(Files.exists(root.resolve(id)));
        assertFalse(crema(user, "list").ok().out().contains(id));
    }

    @Test
    void aTerminalIsTheContainersOwnPty() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs script (bsdutils)");
        Bundle b = bundle(user, "tty; id -u");
        b.set("process.terminal", true).save();
        String out = user.sh("script -qec '" + CREMA + " run --bundle " + b.dir + " " + newId() + "' /dev/null").ok().out();
        assertTrue(out.contains("/dev/pts/0") && out.contains("0"), out);
    }

    private boolean waitForStatus(String id, String status) {
        for (int i = 0; i < 100; i++) {
            if (crema(user, "state " + id).out().contains("\"status\": \"" + status + "\"")) return true;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    @Test
    void withoutXdgRuntimeDirTheUserMustNameARoot() {
        Map<String, String> unset = new LinkedHashMap<>();
        unset.put("XDG_RUNTIME_DIR", null);
        TestUser.Result r = user.sh(unset, CREMA + " list", 30);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("XDG_RUNTIME_DIR is not set"), r.err());
        user.sh(unset, CREMA + " --root " + user.home.resolve("state") + " list", 30).ok();
    }

    @Test
    void aLimitTheUserCannotApplyIsRefusedByName() {
        Bundle b = bundle(user, "true");
        b.set("linux.resources", new LinkedHashMap<>(Map.of("memory", new LinkedHashMap<>(Map.of("limit", 64 << 20))))).save();
        String id = newId();
        TestUser.Result r = crema(user, "run --bundle " + b.dir + " " + id);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("linux.resources.memory: cannot be applied"), r.err());
        assertFalse(Files.exists(user.runtimeDir.resolve("crema").resolve(id)), "state left behind");
    }

    @Test
    void aRootOwnedHostFileCannotBeWrittenThroughABind() throws IOException {
        Path secret = rootOwnedFile();
        Bundle b = bundle(user, "echo changed >> /secret && echo wrote; cat /secret");
        b.list("mounts").add(new LinkedHashMap<>(Map.of("destination", "/secret", "type", "bind",
                "source", secret.toString(), "options", new ArrayList<>(List.of("rbind", "rw")))));
        b.save();
        String out = crema(user, "run --bundle " + b.dir + " " + newId()).ok().out();
        assertEquals("host\n", out);
        assertEquals("host\n", Files.readString(secret));
        if (haveRunc()) assertEquals(out, user.sh("cd " + b.dir + " && runc run " + newId()).ok().out());
    }

    @Test
    void aSetuidRootBinaryGivesNoHostPrivilegeBack() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "needs gcc to build the setuid probe");
        Path secret = rootOwnedFile();
        Path dir = Files.createDirectories(user.base.resolve("suid-" + SEQ.incrementAndGet()));
        Path src = Files.writeString(dir.resolve("probe.c"), """
                #include <errno.h>
                #include <fcntl.h>
                #include <stdio.h>
                #include <string.h>
                #include <unistd.h>
                int main(int argc, char **argv) {
                    int fd = open(argv[1], O_WRONLY | O_APPEND);
                    printf("euid=%d open=%s\\n", (int)geteuid(), fd < 0 ? strerror(errno) : "ok");
                    if (fd >= 0) write(fd, "pwned\\n", 6);
                    return 0;
                }
                """);
        Path probe = dir.resolve("probe");
        TestUser.asRoot("gcc", "-static", "-o", probe.toString(), src.toString()).ok();
        TestUser.asRoot("chmod", "4755", probe.toString()).ok();
        // the host says it would run as root: the container must not
        assertTrue(user.sh(probe + " /dev/null").ok().out().startsWith("euid=0 "));
        Bundle b = bundle(user, "/suid/probe /secret");
        b.list("mounts").add(new LinkedHashMap<>(Map.of("destination", "/suid", "type", "bind",
                "source", dir.toString(), "options", new ArrayList<>(List.of("rbind", "ro")))));
        b.list("mounts").add(new LinkedHashMap<>(Map.of("destination", "/secret", "type", "bind",
                "source", secret.toString(), "options", new ArrayList<>(List.of("rbind", "rw")))));
        b.save();
        String out = crema(user, "run --bundle " + b.dir + " " + newId()).ok().out();
        assertFalse(out.contains("open=ok"), out);
        assertEquals("host\n", Files.readString(secret));
        if (haveRunc()) assertEquals(out, user.sh("cd " + b.dir + " && runc run " + newId()).ok().out());
    }

    @Test
    void anotherUsersNamespaceCannotBeJoined() throws IOException {
        Bundle mine = bundle(user, "exec sleep 300");
        String id = newId();
        Path pidFile = user.home.resolve(id + ".pid");
        crema(user, "run --detach --pid-file " + pidFile + " --bundle " + mine.dir + " " + id).ok();
        String pid = Files.readString(pidFile).trim();
        try {
            Bundle theirs = bundle(other, "id");
            List<Object> namespaces = theirs.list("linux.namespaces");
            namespaces.removeIf(ns -> ((Map<?, ?>) ns).get("type").equals("user"));
            namespaces.add(new LinkedHashMap<>(Map.of("type", "user", "path", "/proc/" + pid + "/ns/user")));
            theirs.remove("linux.uidMappings").remove("linux.gidMappings").save();
            String theirId = newId();
            TestUser.Result r = crema(other, "run --bundle " + theirs.dir + " " + theirId);
            assertNotEquals(0, r.exit(), r.out());
            assertTrue(r.err().contains("/proc/" + pid + "/ns/user"), r.err());
            assertFalse(Files.exists(other.runtimeDir.resolve("crema").resolve(theirId)), "state left behind");
            if (haveRunc()) assertNotEquals(0, other.sh("cd " + theirs.dir + " && runc run " + newId()).exit());
            // nor through exec: the other user cannot reach the state that names the init
            assertNotEquals(0, crema(other, "--root " + user.runtimeDir.resolve("crema") + " exec " + id + " id").exit());
        } finally {
            crema(user, "delete --force " + id).ok();
        }
    }

    @Test
    void anotherUsersStateIsNeitherReadableNorWritable() throws IOException {
        // a root in a directory anyone may enter: only crema's own modes keep it private
        Path root = user.base.resolve("open/state");
        Files.createDirectories(root.getParent());
        TestUser.asRoot("chown", user.uid + ":" + user.gid, root.getParent().toString()).ok();
        Bundle b = bundle(user, "exec sleep 300");
        String id = newId();
        crema(user, "--root " + root + " run --detach --bundle " + b.dir + " " + id).ok();
        try {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
            for (String attempt : List.of("ls " + root, "cat " + root.resolve(id).resolve("state.json"),
                    "cat " + root.resolve(id).resolve("config.json"), "touch " + root.resolve("x"),
                    "rm -rf " + root.resolve(id), CREMA + " --root " + root + " state " + id,
                    CREMA + " --root " + root + " kill " + id + " KILL", CREMA + " --root " + root + " delete --force " + id)) {
                TestUser.Result r = other.sh(attempt);
                assertNotEquals(0, r.exit(), "the other user could " + attempt + ": " + r.out());
            }
            assertTrue(crema(user, "--root " + root + " state " + id).ok().out().contains("\"status\": \"running\""));
        } finally {
            crema(user, "--root " + root + " delete --force " + id).ok();
        }
    }

    /** The first subordinate id /etc/subuid (or subgid) grants the user. */
    private static long subordinateStart(String file, TestUser u) throws IOException {
        for (String line : Files.readAllLines(Path.of(file))) {
            String[] f = line.split(":");
            if (f[0].equals(u.name)) return Long.parseLong(f[1]);
        }
        throw new AssertionError(file + " grants " + u.name + " nothing");
    }

    private static List<Object> maps(long own, long start, long size) {
        return new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("containerID", 0, "hostID", own, "size", 1)),
                new LinkedHashMap<>(Map.of("containerID", 1, "hostID", start, "size", size))));
    }

    @Test
    void rangesFromSubuidAndSubgidAreMappedThroughNewuidmap() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")), "needs newuidmap (Debian package uidmap)");
        Bundle b = bundle(user, "id -u; id -g; id -G; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups | tr -s ' '");
        b.set("linux.uidMappings", maps(user.uid, subordinateStart("/etc/subuid", user), 65536));
        b.set("linux.gidMappings", maps(user.gid, subordinateStart("/etc/subgid", user), 65536));
        b.set("process.user", new LinkedHashMap<>(Map.of("uid", 1000, "gid", 1000))).save();
        String out = crema(user, "run --bundle " + b.dir + " " + newId()).ok().out();
        assertEquals("1000\n1000\n1000\n 0 " + user.uid + " 1\n 1 " + subordinateStart("/etc/subuid", user) + " 65536\n"
                + " 0 " + user.gid + " 1\n 1 " + subordinateStart("/etc/subgid", user) + " 65536\nallow\n", out);
        if (haveRunc()) {
            // runc 1.1 makes no setgroups call in a rootless container, so its process keeps the user's
            // own group (gid 0 there); crema sets exactly process.user.additionalGids, none here, as
            // runc does for root
            String runc = user.sh("cd " + b.dir + " && runc run " + newId()).ok().out();
            String[] lines = out.split("\n", -1);
            lines[2] = "1000 0"; // id -G
            assertEquals(String.join("\n", lines), runc);
        }
        // setgroups stays allowed with newgidmap: additional groups work (runc 1.1 refuses any in a rootless container)
        b.set("process.user", new LinkedHashMap<>(Map.of("uid", 1000, "gid", 1000, "additionalGids", new ArrayList<>(List.of(1001))))).save();
        assertTrue(crema(user, "run --bundle " + b.dir + " " + newId()).ok().out().startsWith("1000\n1000\n1000 1001\n"));
    }

    @Test
    void aRangeNotGrantedIsRefusedByNameAndLeavesNothing() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")), "needs newuidmap (Debian package uidmap)");
        Bundle b = bundle(user, "true");
        // the other user's range: not this user's to map
        b.set("linux.uidMappings", maps(user.uid, subordinateStart("/etc/subuid", other), 1000)).save();
        String id = newId();
        List<Long> before = user.processes();
        TestUser.Result r = crema(user, "run --bundle " + b.dir + " " + id);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("linux.uidMappings: ") && r.err().contains("newuidmap refused it"), r.err());
        assertFalse(Files.exists(user.runtimeDir.resolve("crema").resolve(id)), "state left behind");
        List<Long> left = user.processes();
        left.removeAll(before);
        assertEquals(List.of(), left, "processes left behind");
    }

    /** A file of the host's root, mode 0644, holding "host". */
    private Path rootOwnedFile() throws IOException {
        Path secret = user.base.resolve("secret-" + SEQ.incrementAndGet());
        Files.writeString(secret, "host\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        return secret;
    }
}

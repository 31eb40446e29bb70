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

/** `exec`: a process that joins a running container, and never gets more than the container has. */
class ExecIT extends ConformanceBase {

    /** Runs the bundle detached as `sleep 300` and returns its id. */
    private String running() {
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), id).ok();
        return id;
    }

    private Crema.Result exec(String id, String... args) {
        List<String> all = new ArrayList<>(List.of("exec"));
        all.addAll(List.of(args).subList(0, args.length - 1));
        all.add(id);
        all.addAll(List.of("sh", "-c", args[args.length - 1]));
        return crema.run(all.toArray(String[]::new));
    }

    private Path processFile(String json) throws Exception {
        return Files.writeString(tmp.resolve("process-" + System.nanoTime() + ".json"), json);
    }

    private static String ns(long pid, String type) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", type)).toString();
    }

    @Test
    void joinsEveryNamespaceAndTheCgroupOfTheInit() throws Exception {
        String id = running();
        int init = Lifecycle.pid(crema, id);
        String out = exec(id, "echo $$; cat /proc/1/cmdline | tr '\\0' ' '; echo; "
                + "for t in mnt net uts ipc pid cgroup; do readlink /proc/self/ns/$t; done; ls /").ok().out();
        List<String> lines = out.lines().toList();
        assertTrue(Integer.parseInt(lines.get(0)) < 100, "a pid of the container's namespace: " + out);
        assertEquals("sleep 300 ", lines.get(1));
        List<String> types = List.of("mnt", "net", "uts", "ipc", "pid", "cgroup");
        for (int i = 0; i < types.size(); i++) assertEquals(ns(init, types.get(i)), lines.get(2 + i), types.get(i));
        assertTrue(lines.contains("bin") && lines.contains("proc") && !lines.contains("home"), "the container's root: " + out);

        crema.run("exec", "--detach", "--pid-file", tmp.resolve("exec.pid").toString(), id, "sleep", "300").ok();
        long pid = Long.parseLong(Files.readString(tmp.resolve("exec.pid")).trim());
        assertEquals(ns(init, "pid"), ns(pid, "pid"));
        assertTrue(processesInCgroupNamed(id).contains(pid), "the exec'd process is in the container's cgroup");
    }

    /** As with runc, the cwd is entered before the user switch: a 0700 cwd of root's is no obstacle to --user 1000. */
    @Test
    void execAsAnotherUserIntoARootOnlyCwd() throws Exception {
        Path secret = java.nio.file.Files.createDirectories(bundle.rootfs.resolve("secret"));
        java.nio.file.Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        bundle.set("process.cwd", "/secret");
        String id = running();
        assertEquals("/secret 1000\n", exec(id, "--user", "1000", "echo $PWD $(id -u)").ok().out());
    }

    @Test
    void theExitCodeIsTheProcesses() {
        String id = running();
        assertEquals(5, exec(id, "exit 5").exit());
        assertEquals(137, exec(id, "kill -9 $$").exit());
        assertEquals(0, exec(id, "true").exit());
    }

    @Test
    void aFailureOfCremaExits255WithRuncsWording() {
        String id = running();
        Crema.Result r = crema.run("exec", id, "/no/such/binary");
        assertEquals(255, r.exit(), r.err());
        assertTrue(r.err().contains("exec failed: unable to start container process: exec: \"/no/such/binary\": "
                + "no such file or directory"), r.err());
        r = crema.run("exec", id, "nosuch");
        assertEquals(255, r.exit());
        assertTrue(r.err().contains("executable file not found in $PATH"), r.err());
        r = crema.run("exec", "nosuch-container", "true");
        assertEquals(255, r.exit());
        assertTrue(r.err().contains("container does not exist"), r.err());
    }

    @Test
    void flagsChangeTheContainersProcess() {
        bundle.set("process.env", new ArrayList<>(List.of("PATH=/bin", "KEEP=1", "FOO=old")));
        String id = running();
        String out = exec(id, "--user", "65534:65534", "--cwd", "/tmp", "-e", "FOO=bar", "--additional-gids", "7",
                "echo $(id -u):$(id -g):$(id -G) $(pwd) $KEEP $FOO $PATH").ok().out();
        assertEquals("65534:65534:65534 7 /tmp 1 bar /bin\n", out);
    }

    @Test
    void aProcessFileGivesEverything() throws Exception {
        String id = running();
        Path p = processFile("""
                {"args": ["sh", "-c", "echo $A $(id -u) $(pwd); exit 3"], "cwd": "/tmp", "env": ["A=from-file"],
                 "user": {"uid": 1000, "gid": 1000}}""");
        Crema.Result r = crema.run("exec", "--process", p.toString(), id);
        assertEquals(3, r.exit(), r.err());
        assertEquals("from-file 1000 /tmp\n", r.out());

        r = crema.run("exec", "--process", processFile("{\"args\": [\"true\"], \"cwd\": \"tmp\"}").toString(), id);
        assertEquals(255, r.exit());
        assertTrue(r.err().contains(": cwd: must be an absolute path"), r.err());
        r = crema.run("exec", "--process", processFile("{\"args\": [\"true\"], \"cwd\": \"/\", \"user\": {\"uid\": -1}}").toString(), id);
        assertEquals(255, r.exit());
        assertTrue(r.err().contains("user.uid"), r.err());
    }

    @Test
    void capabilitiesRlimitsAndNoNewPrivilegesDefaultToTheContainersAndCannotExceedThem() throws Exception {
        bundle.set("process.rlimits", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("type", "RLIMIT_NOFILE", "soft", 100, "hard", 200)))));
        bundle.set("process.noNewPrivileges", true);
        String id = running();
        String caps = "grep -E '^(CapBnd|CapEff|NoNewPrivs)' /proc/self/status | tr -d '\\t'; ulimit -n";
        String container = crema.run("exec", id, "sh", "-c", caps).ok().out();
        assertTrue(container.contains("NoNewPrivs:1") && container.endsWith("100\n"), container);
        assertTrue(container.contains("CapBnd:0000000020000420"), container);

        // asking for CAP_SYS_ADMIN, outside the container's bounding set: dropped, with a warning
        Crema.Result r = crema.run("exec", "--cap", "CAP_SYS_ADMIN", id, "sh", "-c", caps);
        assertEquals(container, r.ok().out());
        assertTrue(r.err().contains("capabilities outside the container's bounding set are dropped: CAP_SYS_ADMIN"), r.err());

        List<String> two = List.of("CAP_KILL", "CAP_SYS_ADMIN");
        Path p = processFile(Json.write(Map.of("args", List.of("sh", "-c", caps), "cwd", "/", "noNewPrivileges", false,
                "capabilities", Map.of("bounding", two, "effective", two, "permitted", two))));
        String fromFile = crema.run("exec", "--process", p.toString(), id).ok().out();
        assertEquals("CapEff:0000000000000020\nCapBnd:0000000000000020\nNoNewPrivs:1\n100\n", fromFile);
    }

    @Test
    void theContainersSeccompFilterApplies() {
        bundle.set("linux.seccomp", new LinkedHashMap<>(Map.of("defaultAction", "SCMP_ACT_ALLOW",
                "syscalls", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("names", new ArrayList<>(List.of("mkdir", "mkdirat")),
                        "action", "SCMP_ACT_ERRNO", "errnoRet", 13)))))));
        bundle.set("root.readonly", false);
        String id = running();
        String out = exec(id, "mkdir /made 2>&1; grep Seccomp: /proc/self/status | tr -d '\\t'").ok().out();
        assertEquals("mkdir: can't create directory '/made': Permission denied\nSeccomp:2\n", out);
    }

    @Test
    void aCreatedContainerCanBeExecdIntoAStoppedOrPausedOneCannot() throws Exception {
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("create", "--bundle", bundle.dir.toString(), id).ok();
        assertEquals("in-created\n", exec(id, "echo in-created").ok().out());
        assertEquals("created", Lifecycle.status(crema, id));

        crema.run("start", id).ok();
        Path freezer = Path.of("/sys/fs/cgroup/freezer").resolve(freezerPath(Lifecycle.pid(crema, id)));
        Files.writeString(freezer.resolve("freezer.state"), "FROZEN");
        try {
            Crema.Result r = exec(id, "true");
            assertEquals(255, r.exit());
            assertTrue(r.err().contains("cannot exec in a paused container"), r.err());
        } finally {
            Files.writeString(freezer.resolve("freezer.state"), "THAWED");
        }

        crema.run("kill", id, "KILL").ok();
        Lifecycle.awaitStatus(crema, id, "stopped");
        Crema.Result r = exec(id, "true");
        assertEquals(255, r.exit());
        assertTrue(r.err().contains("cannot exec in a stopped container"), r.err());
    }

    /** The init's v1 freezer cgroup, relative to the hierarchy. */
    private static String freezerPath(int pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "cgroup"))) {
            String[] f = line.split(":", 3);
            if (f[1].equals("freezer")) return f[2].substring(1);
        }
        throw new AssertionError("no freezer hierarchy");
    }

    @Test
    void onlyStdioAndThePreservedFdsReachTheProcess() {
        String id = running();
        Crema.Result r = crema.shell("echo preserved > " + tmp.resolve("fd3") + "; exec 3<" + tmp.resolve("fd3")
                + "; $CREMA exec --preserve-fds 1 " + id + " sh -c 'cat <&3; ls /proc/self/fd | sort -n | tr \"\\n\" \" \"'");
        assertEquals(0, r.exit(), r.err());
        assertEquals("preserved\n0 1 2 3 ", r.out().replaceAll(" \\d+ $", " "));
    }

    @Test
    void execJoinsAUserNamespaceContainer() throws Exception {
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        bundle.list("linux.namespaces").add(new LinkedHashMap<>(Map.of("type", "user")));
        bundle.set("linux.uidMappings", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("containerID", 0, "hostID", 500000, "size", 65536)))));
        bundle.set("linux.gidMappings", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("containerID", 0, "hostID", 500000, "size", 65536)))));
        String id = running();
        int init = Lifecycle.pid(crema, id);
        String out = exec(id, "readlink /proc/self/ns/user; id -u; cat /proc/self/uid_map | tr -s ' '").ok().out();
        assertEquals(ns(init, "user") + "\n0\n 0 500000 65536\n", out);
    }

    @Test
    void execFindsTheRootOfANoPivotContainer() {
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("run", "--detach", "--no-pivot", "--bundle", bundle.dir.toString(), id).ok();
        String out = exec(id, "ls / | tr '\\n' ' '").ok().out();
        assertEquals("bin dev etc proc root sys tmp ", out);
        assertFalse(out.contains("home"));
    }
}

package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** process.*: user, cwd, env, umask, rlimits, capabilities, noNewPrivileges, oomScoreAdj, hostname. */
class ProcessIT extends ConformanceBase {

    private static String field(String status, String name) {
        return status.lines().filter(l -> l.startsWith(name + ":")).findFirst().orElseThrow()
                .substring(name.length() + 1).trim();
    }

    @Test
    void userGroupsAndAdditionalGids() {
        bundle.set("process.user", new LinkedHashMap<>(Map.of("uid", 1000, "gid", 1001,
                "additionalGids", new ArrayList<>(List.of(10, 20)))));
        bundle.shell("id -u; id -g; id -G");
        assertEquals("1000\n1001\n1001 10 20\n", runOk());
    }

    @Test
    void cwdAndEnv() {
        bundle.set("process.cwd", "/tmp");
        bundle.set("process.env", new ArrayList<>(List.of("PATH=/bin", "GREETING=hi there")));
        bundle.shell("pwd; echo \"$GREETING\"");
        assertEquals("/tmp\nhi there\n", runOk());
    }

    /**
     * No HOME in the env: the home of the process's uid in the container's /etc/passwd, else "/",
     * as runc and crun set it (also for exec). An /etc/passwd that is a fifo is not read (no hang).
     */
    @Test
    void homeComesFromTheContainersPasswd() throws Exception {
        java.nio.file.Path etc = java.nio.file.Files.createDirectories(bundle.rootfs.resolve("etc"));
        java.nio.file.Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n");
        bundle.set("process.env", new ArrayList<>(List.of("PATH=/bin")));
        bundle.set("process.user", new LinkedHashMap<>(Map.of("uid", 1000, "gid", 1000)));
        bundle.shell("echo $HOME");
        assertEquals("/home/u\n", runOk());
        bundle.set("process.user", new LinkedHashMap<>(Map.of("uid", 1001, "gid", 1001)));
        assertEquals("/\n", runOk());
        bundle.set("process.env", new ArrayList<>(List.of("PATH=/bin", "HOME=/mine")));
        assertEquals("/mine\n", runOk());

        bundle.set("process.env", new ArrayList<>(List.of("PATH=/bin")));
        bundle.set("process.user", new LinkedHashMap<>(Map.of("uid", 0, "gid", 0)));
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), id).ok();
        assertEquals("/root\n", crema.run("exec", id, "sh", "-c", "echo $HOME").ok().out());
        assertEquals("/home/u\n", crema.run("exec", "--user", "1000", id, "sh", "-c", "echo $HOME").ok().out());

        java.nio.file.Files.delete(etc.resolve("passwd"));
        assertEquals(0, new ProcessBuilder("mkfifo", etc.resolve("passwd").toString()).start().waitFor());
        bundle.shell("echo $HOME");
        assertEquals("/\n", runOk());
    }

    @Test
    void umask() {
        bundle.set("process.user.umask", 027);
        bundle.shell("umask");
        assertEquals("0027\n", runOk());
    }

    @Test
    void rlimits() {
        bundle.set("process.rlimits", new ArrayList<>(List.of(
                new LinkedHashMap<>(Map.of("type", "RLIMIT_NOFILE", "soft", 123, "hard", 456)),
                new LinkedHashMap<>(Map.of("type", "RLIMIT_CORE", "soft", 0, "hard", 0)))));
        bundle.shell("ulimit -n; ulimit -Hn; ulimit -c");
        assertEquals("123\n456\n0\n", runOk());
    }

    @Test
    void capabilitySets() {
        List<Object> caps = new ArrayList<>(List.of("CAP_CHOWN", "CAP_KILL"));
        bundle.set("process.capabilities", new LinkedHashMap<>(Map.of("bounding", caps, "effective", caps,
                "permitted", caps, "inheritable", new ArrayList<>(List.of("CAP_KILL")))));
        bundle.shell("cat /proc/self/status");
        String status = runOk();
        // CAP_CHOWN is bit 0, CAP_KILL bit 5.
        assertEquals(0x21L, Long.parseLong(field(status, "CapEff"), 16));
        assertEquals(0x21L, Long.parseLong(field(status, "CapPrm"), 16));
        assertEquals(0x21L, Long.parseLong(field(status, "CapBnd"), 16));
        assertEquals(0x20L, Long.parseLong(field(status, "CapInh"), 16));
        assertEquals(0L, Long.parseLong(field(status, "CapAmb"), 16));
    }

    @Test
    void ambientCapabilitiesReachANonRootUser() {
        List<Object> caps = new ArrayList<>(List.of("CAP_NET_BIND_SERVICE"));
        bundle.set("process.user", new LinkedHashMap<>(Map.of("uid", 1000, "gid", 1000)));
        bundle.set("process.capabilities", new LinkedHashMap<>(Map.of("bounding", caps, "effective", caps,
                "permitted", caps, "inheritable", caps, "ambient", caps)));
        bundle.shell("cat /proc/self/status");
        String status = runOk();
        assertEquals(1L << 10, Long.parseLong(field(status, "CapAmb"), 16));
        assertEquals(1L << 10, Long.parseLong(field(status, "CapEff"), 16));
    }

    @Test
    void noNewPrivileges() {
        bundle.set("process.noNewPrivileges", true);
        bundle.shell("grep NoNewPrivs /proc/self/status");
        assertTrue(runOk().matches("NoNewPrivs:\\s+1\\n"));
        bundle.set("process.noNewPrivileges", false);
        assertTrue(runOk().matches("NoNewPrivs:\\s+0\\n"));
    }

    @Test
    void oomScoreAdj() {
        bundle.set("process.oomScoreAdj", 345);
        bundle.shell("cat /proc/self/oom_score_adj");
        assertEquals("345\n", runOk());
    }

    @Test
    void hostnameInItsOwnUtsNamespace() {
        bundle.set("hostname", "box-under-test");
        bundle.shell("hostname");
        assertEquals("box-under-test\n", runOk());
    }
}

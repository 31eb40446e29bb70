package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}

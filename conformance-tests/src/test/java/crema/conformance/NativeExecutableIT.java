package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The installed crema is a native executable: it needs no JDK at run time. */
class NativeExecutableIT extends ConformanceBase {

    @Test
    void runsAContainerWithEveryJdkHidden() throws Exception {
        bundle.shell("echo no JDK needed").save();
        String id = newId();
        // a private mount namespace in which /usr/lib/jvm is an empty tmpfs
        Crema.Result r = crema.shell("unshare --mount --propagation private sh -c '"
                + "mount -t tmpfs none /usr/lib/jvm && ls -A /usr/lib/jvm | wc -l && "
                + "$CREMA run --bundle " + bundle.dir + " " + id + "'");
        assertEquals(0, r.exit(), r.err());
        assertEquals("0\nno JDK needed\n", r.out());
        assertNothingLeft(id);
    }

    @Test
    void itsLibrariesLieInTheInstall() {
        Crema.Result r = crema.shell("ldd \"${CREMA%% *}\"").ok();
        Path lib = Crema.BINARY.toAbsolutePath().getParent().resolveSibling("lib").resolve("crema").normalize();
        for (String name : java.util.List.of("libjava.so", "libnio.so", "libjvm.so")) {
            // ldd prints the path through the executable's RUNPATH, $ORIGIN/../lib/crema
            boolean found = r.out().lines().map(String::strip).filter(l -> l.startsWith(name + " => "))
                    .anyMatch(l -> Path.of(l.split(" ")[2]).normalize().equals(lib.resolve(name)));
            assertTrue(found, name + " from " + lib + ":\n" + r.out());
        }
        assertFalse(r.out().contains("/usr/lib/jvm") || r.out().contains("not found"), r.out());
    }

    /** The image's runtime takes no options from argv: what looks like a JVM option is the container's. */
    @Test
    void argumentsThatLookLikeJvmOptionsReachTheContainer() {
        String id = started("sleep 300");
        assertEquals("-Dfoo=1 -XX:+PrintGC -Xmx1m -R:x", crema.run("exec", id, "echo", "-Dfoo=1", "-XX:+PrintGC", "-Xmx1m", "-R:x")
                .ok().out().strip());
        assertTrue(crema.run("state", "-Dfoo=1").err().contains("flag provided but not defined: -Dfoo"));
    }

    /**
     * Every command, on its usual path and on an error path, ends as crema ends it: never on one of the libjvm
     * shim's aborting stubs (SIGABRT, "libjvm shim") nor on a missing reachability registration (the image exits
     * 172 with the registration it missed).
     */
    @Test
    void noCommandReachesAnUnimplementedShimOrMissingMetadata() throws Exception {
        Path spec = Files.createDirectories(tmp.resolve("spec"));
        List<Crema.Result> results = new ArrayList<>();
        bundle.shell("sleep 300").save();
        String id = newId(), other = newId();
        String b = bundle.dir.toString();
        for (String[] args : new String[][] {
                {"--version"}, {"--help"}, {"features"}, {"spec", "--bundle", spec.toString()}, {"create", "--bundle", b, id},
                {"state", id}, {"list"}, {"list", "--format", "json"}, {"ps", id}, {"ps", "--format", "json", id},
                {"start", id}, {"exec", id, "true"}, {"exec", "--env", "A=b", "--cwd", "/", id, "true"},
                {"events", "--stats", id}, {"update", "--pids-limit", "100", id}, {"pause", id}, {"resume", id},
                {"kill", id, "0"}, {"kill", "--all", id, "KILL"}, {"delete", "--force", id},
                {"run", "--bundle", b, "--detach", other},
                {"checkpoint", "--leave-running", "--image-path", tmp.resolve("images").toString(), other},
                {"delete", "--force", other},
                {"state", "nonexistent"}, {"create", "--bundle", tmp.resolve("none").toString(), "x"}, {"nonsense"},
                {"checkpoint", "nonexistent"}, {"restore", "--bundle", b, "nonexistent"}, {"run", "--help"},
                {"help", "exec"}, {"kill", "-h"}}) {
            Crema.Result r = crema.run(args);
            results.add(r);
            String what = String.join(" ", args) + ": exit " + r.exit() + "\n" + r.err();
            assertTrue(r.exit() != 134 && r.exit() != 172, what);
            assertFalse(r.err().contains("libjvm shim") || r.err().contains("Registration"), what);
        }
        assertEquals(0, results.get(4).exit(), results.get(4).err());
        assertEquals(0, results.get(11).exit(), results.get(11).err());
    }
}

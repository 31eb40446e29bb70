package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
}

package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rootfs written by an attacker: /dev, /proc, /sys and mount destinations
 * are symlinks pointing out of it, absolute and relative. Whatever crema
 * mounts or creates must land inside the rootfs, or the create must fail
 * cleanly; the host directory they point at must stay untouched.
 */
class HostileRootfsIT extends ConformanceBase {

    private Path outside() throws Exception {
        return Files.createDirectories(tmp.resolve("outside"));
    }

    private static long entries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private void replaceWithLink(String inRootfs, Path target) throws Exception {
        Path p = bundle.rootfs.resolve(inRootfs);
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
        Files.createSymbolicLink(p, target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "proc", "sys"})
    void systemDirsLinkedOutAbsolutely(String dir) throws Exception {
        Path outside = outside();
        replaceWithLink(dir, outside);
        bundle.shell("ls /dev/null /proc/self/status /sys/kernel >/dev/null && echo inside");
        Crema.Result r = run();
        if (r.exit() == 0) assertEquals("inside\n", r.out());
        assertEquals(0, entries(outside), "something was created or mounted outside the rootfs");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "proc"})
    void systemDirsLinkedOutRelatively(String dir) throws Exception {
        Path outside = outside();
        replaceWithLink(dir, Path.of("../../../../../../../../" + outside));
        bundle.shell("ls /dev/null /proc/self/status >/dev/null && echo inside");
        Crema.Result r = run();
        if (r.exit() == 0) assertEquals("inside\n", r.out());
        assertEquals(0, entries(outside), "something was created or mounted outside the rootfs");
    }

    @Test
    void aDeviceNodeLinkedOutIsNotFollowed() throws Exception {
        Path outside = outside();
        Path victim = Files.writeString(outside.resolve("victim"), "host data\n");
        // /dev is a tmpfs in the default config: make /dev a plain directory with a planted link instead.
        bundle.list("mounts").removeIf(m -> "/dev".equals(((Map<?, ?>) m).get("destination")));
        Files.createSymbolicLink(bundle.rootfs.resolve("dev/null"), victim);
        bundle.set("root.readonly", false);
        bundle.shell("echo overwritten > /dev/null; echo done");
        Crema.Result r = run();
        assertEquals("host data\n", Files.readString(victim), "a write through the container's /dev/null reached the host");
        if (r.exit() != 0) assertTrue(r.err().contains("/dev/null"), r.err());
    }

    @Test
    void maskedPathsLinkedOutAreNotFollowed() throws Exception {
        Path outside = outside();
        Path victim = Files.writeString(outside.resolve("secret"), "host secret\n");
        Files.createDirectories(bundle.rootfs.resolve("etc"));
        Files.createSymbolicLink(bundle.rootfs.resolve("etc/masked"), victim);
        bundle.set("linux.maskedPaths", new ArrayList<>(List.of("/etc/masked")));
        bundle.set("linux.readonlyPaths", new ArrayList<>(List.of("/etc/masked")));
        bundle.shell("cat /etc/masked 2>&1; echo end");
        Crema.Result r = run();
        assertTrue(!r.out().contains("host secret"), r.out());
        assertEquals("host secret\n", Files.readString(victim));
    }

    @Test
    void aBindSourceIsTheHostsButItsDestinationStaysInside() throws Exception {
        Path outside = outside();
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("f"), "data\n");
        Files.createSymbolicLink(bundle.rootfs.resolve("mnt-link"), Path.of("/../../../../" + outside));
        bundle.list("mounts").add(new LinkedHashMap<>(Map.of("destination", "/mnt-link/x", "type", "bind",
                "source", data.toString(), "options", new ArrayList<>(List.of("rbind", "ro")))));
        bundle.shell("cat /mnt-link/x/f");
        assertEquals("data\n", runOk());
        assertEquals(0, entries(outside));
    }
}

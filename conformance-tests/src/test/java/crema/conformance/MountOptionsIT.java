package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Recursive attributes, propagation, rootfsPropagation, nosymfollow, tmpcopyup, idmap and ridmap. */
class MountOptionsIT extends ConformanceBase {
    private final List<Path> hostMounts = new ArrayList<>();

    private void addMount(String destination, String type, String source, Object... options) {
        bundle.list("mounts").add(new LinkedHashMap<>(Map.of("destination", destination, "type", type,
                "source", source, "options", new ArrayList<>(List.of(options)))));
    }

    /** A host dir with a tmpfs mounted below it, so recursive options have a submount to reach. */
    private Path treeWithSubmount() throws Exception {
        Path top = Files.createDirectories(tmp.resolve("tree"));
        Path sub = Files.createDirectories(top.resolve("sub"));
        assertEquals(0, new ProcessBuilder("mount", "-t", "tmpfs", "tmpfs", sub.toString()).inheritIO().start().waitFor());
        hostMounts.add(sub);
        return top;
    }

    @AfterEach
    void unmountHostMounts() throws Exception {
        for (Path p : hostMounts) new ProcessBuilder("umount", "-l", p.toString()).inheritIO().start().waitFor();
    }

    @Test
    void recursiveReadOnlyReachesSubmounts() throws Exception {
        Path tree = treeWithSubmount();
        addMount("/plain", "bind", tree.toString(), "rbind", "ro");
        addMount("/rro", "bind", tree.toString(), "rbind", "rro");
        bundle.shell("touch /plain/sub/x 2>/dev/null && echo ro-leaves-submount-writable;"
                + " touch /rro/sub/y 2>/dev/null || echo rro-reaches-submount");
        assertEquals("ro-leaves-submount-writable\nrro-reaches-submount\n", runOk());
    }

    @Test
    void recursiveNoexecAndNosymfollow() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bins"));
        Files.copy(Bundle.BUSYBOX, dir.resolve("bb"));
        Files.createSymbolicLink(dir.resolve("link"), Path.of("bb"));
        addMount("/noexec", "bind", dir.toString(), "rbind", "rnoexec");
        addMount("/nofollow", "bind", dir.toString(), "rbind", "nosymfollow");
        bundle.shell("/noexec/bb true 2>/dev/null || echo noexec; cat /nofollow/link >/dev/null 2>&1 || echo nosymfollow;"
                + " cat /nofollow/bb >/dev/null && echo files-ok");
        assertEquals("noexec\nnosymfollow\nfiles-ok\n", runOk());
    }

    /** The mountinfo line of a mount point, from a container's /proc/self/mountinfo. */
    private static String line(String mountinfo, String point) {
        return mountinfo.lines().filter(l -> l.split(" ")[4].equals(point)).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void propagationOfAMount() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("prop"));
        addMount("/shared", "bind", dir.toString(), "rbind", "rshared");
        addMount("/private", "bind", dir.toString(), "rbind", "rprivate");
        bundle.shell("cat /proc/self/mountinfo");
        String out = runOk();
        assertTrue(line(out, "/shared").contains(" shared:"), out);
        String priv = line(out, "/private");
        assertTrue(!priv.contains(" shared:") && !priv.contains(" master:"), priv);
    }

    @Test
    void rootfsPropagation() throws Exception {
        bundle.set("linux.rootfsPropagation", "rprivate");
        bundle.shell("cat /proc/self/mountinfo");
        String root = line(runOk(), "/");
        assertTrue(!root.contains(" shared:") && !root.contains(" master:"), root);
        bundle.set("linux.rootfsPropagation", "rshared");
        root = line(runOk(), "/");
        assertTrue(root.contains(" shared:"), root);
    }

    @Test
    void tmpcopyupKeepsWhatTheDirectoryHeld() throws Exception {
        Path etc = Files.createDirectories(bundle.rootfs.resolve("etc/app/conf.d"));
        Files.writeString(bundle.rootfs.resolve("etc/app/main.conf"), "main\n");
        Files.writeString(etc.resolve("extra.conf"), "extra\n");
        Files.createSymbolicLink(bundle.rootfs.resolve("etc/app/link"), Path.of("main.conf"));
        addMount("/etc/app", "tmpfs", "tmpfs", "tmpcopyup", "mode=755");
        bundle.shell("grep ' /etc/app ' /proc/self/mounts | cut -d' ' -f3; cat /etc/app/main.conf /etc/app/conf.d/extra.conf;"
                + " readlink /etc/app/link; echo new > /etc/app/new && echo writable");
        assertEquals("tmpfs\nmain\nextra\nmain.conf\nwritable\n", runOk());
        assertTrue(!Files.exists(bundle.rootfs.resolve("etc/app/new")), "the write went to the rootfs");
    }

    @Test
    void idmapShowsFilesUnderTheMappedIds() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("owned"));
        Files.writeString(dir.resolve("by-root"), "x");
        Map<String, Object> m = new LinkedHashMap<>(Map.of("destination", "/idmapped", "type", "bind", "source", dir.toString(),
                "options", new ArrayList<>(List.of("rbind", "idmap")),
                "uidMappings", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("containerID", 0, "hostID", 4321, "size", 1)))),
                "gidMappings", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("containerID", 0, "hostID", 8765, "size", 1))))));
        bundle.list("mounts").add(m);
        addMount("/plain", "bind", dir.toString(), "rbind");
        bundle.shell("stat -c '%u %g' /idmapped/by-root /plain/by-root");
        assertEquals("4321 8765\n0 0\n", runOk());
    }

    @Test
    void ridmapReachesSubmountsAndIdmapDoesNot() throws Exception {
        Path tree = treeWithSubmount();
        List<Object> uid = new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("containerID", 0, "hostID", 555, "size", 1))));
        for (String opt : List.of("idmap", "ridmap")) {
            bundle.list("mounts").add(new LinkedHashMap<>(Map.of("destination", "/" + opt, "type", "bind",
                    "source", tree.toString(), "options", new ArrayList<>(List.of("rbind", opt)),
                    "uidMappings", uid, "gidMappings", uid)));
        }
        bundle.shell("stat -c %u /idmap /idmap/sub /ridmap /ridmap/sub");
        assertEquals("555\n0\n555\n555\n", runOk());
    }
}

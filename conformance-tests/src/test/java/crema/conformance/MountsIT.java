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

/** mounts, root.readonly, default devices and /dev links, maskedPaths, readonlyPaths, cgroup mount, hostile rootfs. */
class MountsIT extends ConformanceBase {

    private void addMount(String destination, String type, String source, String... options) {
        bundle.list("mounts").add(new LinkedHashMap<>(Map.of("destination", destination, "type", type,
                "source", source, "options", new ArrayList<>(List.of(options)))));
    }

    /** "mountpoint fstype options" for each line of /proc/self/mountinfo. */
    private static List<String> mounts(String mountinfo) {
        List<String> out = new ArrayList<>();
        for (String line : mountinfo.lines().toList()) {
            String[] pre = line.substring(0, line.indexOf(" - ")).split(" ");
            String[] post = line.substring(line.indexOf(" - ") + 3).split(" ");
            out.add(pre[4] + " " + post[0] + " " + pre[5]);
        }
        return out;
    }

    private static void assertMount(List<String> mounts, String point, String type, String option) {
        assertTrue(mounts.stream().anyMatch(m -> m.startsWith(point + " " + type + " ")
                && List.of(m.split(" ")[2].split(",")).contains(option)), point + " " + type + " " + option + " in " + mounts);
    }

    @Test
    void theDefaultMountsAreThere() {
        bundle.shell("cat /proc/self/mountinfo");
        List<String> m = mounts(runOk());
        assertTrue(m.stream().anyMatch(x -> x.startsWith("/ ") && x.split(" ")[2].startsWith("ro")), m.toString());
        assertMount(m, "/proc", "proc", "rw");
        assertMount(m, "/dev", "tmpfs", "nosuid");
        assertMount(m, "/dev/pts", "devpts", "noexec");
        assertMount(m, "/dev/shm", "tmpfs", "nodev");
        assertMount(m, "/dev/mqueue", "mqueue", "nosuid");
        assertMount(m, "/sys", "sysfs", "ro");
        assertMount(m, "/sys/fs/cgroup", "tmpfs", "ro");
    }

    @Test
    void bindMountsReadOnlyAndReadWrite() throws Exception {
        Path ro = Files.createDirectories(tmp.resolve("ro"));
        Path rw = Files.createDirectories(tmp.resolve("rw"));
        Files.writeString(ro.resolve("file"), "from the host\n");
        Path file = Files.writeString(tmp.resolve("single-file"), "one file\n");
        addMount("/mnt/ro", "bind", ro.toString(), "rbind", "ro");
        addMount("/mnt/rw", "bind", rw.toString(), "bind", "rw");
        addMount("/etc/single", "bind", file.toString(), "bind", "ro");
        bundle.shell("cat /mnt/ro/file; cat /etc/single; touch /mnt/ro/x 2>/dev/null && echo ro-writable;"
                + " echo written > /mnt/rw/y");
        assertEquals("from the host\none file\n", runOk());
        assertEquals("written\n", Files.readString(rw.resolve("y")));
        assertFalse(Files.exists(ro.resolve("x")));
    }

    /** crema-init keeps state per mount: a config with more mounts than any fixed table holds still works. */
    @Test
    void sixHundredMounts() {
        for (int i = 0; i < 600; i++) {
            addMount("/many/" + i, "tmpfs", "tmpfs", i % 2 == 0 ? "ro" : "rw", "size=16k");
        }
        bundle.shell("grep -c ' /many/' /proc/self/mountinfo; grep ' /many/599 ' /proc/self/mounts | cut -d' ' -f4");
        assertEquals("600\nrw,relatime,size=16k", runOk().strip().replaceAll(",inode64", ""));
    }

    @Test
    void tmpfsTakesItsDataOptions() {
        addMount("/scratch", "tmpfs", "tmpfs", "nosuid", "size=1m", "mode=1770");
        bundle.shell("stat -c %a /scratch; grep ' /scratch ' /proc/self/mounts");
        String out = runOk();
        assertTrue(out.startsWith("1770\n"), out);
        assertTrue(out.contains("size=1024k"), out);
    }

    @Test
    void readonlyRootfsRefusesWritesAndWritableOneAccepts() {
        bundle.shell("touch /written 2>&1 || echo refused");
        assertTrue(runOk().contains("refused"));
        bundle.set("root.readonly", false);
        bundle.shell("touch /written && echo ok");
        assertEquals("ok\n", runOk());
        assertTrue(Files.exists(bundle.rootfs.resolve("written")));
    }

    @Test
    void defaultDevicesAndLinks() {
        bundle.shell("for d in null zero full random urandom tty; do stat -c '%n %F %t:%T %a' /dev/$d; done;"
                + " for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done; head -c 4 /dev/zero | wc -c");
        String out = runOk();
        for (String d : List.of("/dev/null character special file 1:3 666", "/dev/zero character special file 1:5 666",
                "/dev/full character special file 1:7 666", "/dev/random character special file 1:8 666",
                "/dev/urandom character special file 1:9 666", "/dev/tty character special file 5:0 666")) {
            assertTrue(out.contains(d + "\n"), d + " in " + out);
        }
        assertTrue(out.contains("/proc/self/fd\n/proc/self/fd/0\n/proc/self/fd/1\n/proc/self/fd/2\npts/ptmx\n"), out);
        assertTrue(out.endsWith("4\n"), out);
    }

    @Test
    void configuredDevicesAreCreatedWithTheirModeAndOwner() {
        bundle.set("linux.devices", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("path", "/dev/mynull",
                "type", "c", "major", 1, "minor", 3, "fileMode", 0640, "uid", 7, "gid", 8)))));
        bundle.shell("stat -c '%F %t:%T %a %u %g' /dev/mynull");
        assertEquals("character special file 1:3 640 7 8\n", runOk());
    }

    @Test
    void maskedPathsHideFilesAndDirectories() {
        bundle.set("linux.maskedPaths", new ArrayList<>(List.of("/proc/keys", "/proc/acpi", "/proc/does-not-exist")));
        bundle.shell("wc -c < /proc/keys; stat -c %t:%T /proc/keys; ls -A /proc/acpi | wc -l;"
                + " touch /proc/acpi/x 2>/dev/null || echo ro");
        assertEquals("0\n1:3\n0\nro\n", runOk());
    }

    @Test
    void readonlyPathsRefuseWrites() {
        bundle.set("linux.readonlyPaths", new ArrayList<>(List.of("/proc/sys", "/proc/not-there")));
        bundle.shell("grep ' /proc/sys ' /proc/self/mounts | cut -d' ' -f4 | cut -d, -f1;"
                + " echo 1 > /proc/sys/kernel/domainname 2>/dev/null || echo refused");
        assertEquals("ro\nrefused\n", runOk());
    }

    @Test
    void theCgroupMountShowsTheContainersOwnCgroups() {
        bundle.shell("ls /sys/fs/cgroup; cat /sys/fs/cgroup/memory/cgroup.procs");
        String out = runOk();
        assertTrue(out.contains("memory\n") && out.contains("pids\n") && out.contains("cpu\n"), out);
        // Only the container's processes (pid 1, the shell, and cat) are in its memory cgroup.
        assertTrue(out.lines().filter(l -> l.matches("\\d+")).allMatch(l -> Integer.parseInt(l) < 10), out);
    }

    @Test
    void symlinkedMountDestinationsStayInsideTheRootfs() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(bundle.rootfs.resolve("abs-escape"), outside);
        Files.createSymbolicLink(bundle.rootfs.resolve("rel-escape"), Path.of("../../../../../../" + outside));
        addMount("/abs-escape", "tmpfs", "tmpfs");
        addMount("/rel-escape/sub", "tmpfs", "tmpfs");
        bundle.set("root.readonly", false);
        bundle.shell("echo inside > /abs-escape/f; echo inside > /rel-escape/sub/f; grep tmpfs /proc/self/mounts | cut -d' ' -f2");
        String out = runOk();
        assertTrue(out.contains(outside.toString() + "\n"), out);
        assertTrue(out.contains(outside + "/sub\n") || out.contains(outside.toString()), out);
        try (var s = Files.list(outside)) {
            assertEquals(List.of(), s.toList(), "a mount escaped the rootfs");
        }
        assertTrue(Files.isDirectory(bundle.rootfs.resolve(outside.toString().substring(1))), "created inside the rootfs");
    }
}

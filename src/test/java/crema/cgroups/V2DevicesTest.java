package crema.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import crema.spec.DeviceCgroup;
import crema.spec.Linux;
import crema.spec.Resources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The device filter in the kernel: loaded, attached to a fresh cgroup2
 * directory, and obeyed by a shell moved into it. Needs root and a cgroup2
 * mount (a v2 host, or a hybrid host's /sys/fs/cgroup/unified); skipped otherwise.
 */
class V2DevicesTest {

    private static Path cgroup2() {
        Path root = Path.of("/sys/fs/cgroup");
        if (Files.exists(root.resolve("cgroup.controllers"))) return root;
        Path unified = root.resolve("unified");
        return Files.exists(unified.resolve("cgroup.procs")) ? unified : null;
    }

    @Test
    void aProcessInTheCgroupOpensOnlyWhatTheRulesAllow() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        Path mount = cgroup2();
        assumeTrue(mount != null, "needs a cgroup2 mount");
        System.setProperty("crema.libdir", Path.of("target/native").toAbsolutePath().toString());
        Path dir = mount.resolve("crema-devices-test-" + ProcessHandle.current().pid());
        Files.createDirectory(dir);
        try {
            Resources r = new Resources(List.of(new DeviceCgroup(false, null, null, null, "rwm"),
                    new DeviceCgroup(true, "c", 1L, 11L, "r")), null, null, null, null, null, null, null, null);
            V2Devices.attach(dir, DeviceRules.forContainer(linux(r)));
            // /dev/null is a default; /dev/kmsg (1:11) is allowed for reading only; /dev/mem (1:1) not at all.
            Process p = new ProcessBuilder("sh", "-c", "echo $$ > " + dir + "/cgroup.procs"
                    + " && exec 3</dev/null && echo null && exec 4</dev/kmsg && echo kmsg-read"
                    + " && { (exec 5>/dev/kmsg) 2>/dev/null || echo kmsg-write-denied; }"
                    + " && { (exec 6</dev/mem) 2>/dev/null || echo mem-denied; }").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), err);
            assertEquals("null\nkmsg-read\nkmsg-write-denied\nmem-denied\n", out);
        } finally {
            for (int i = 0; i < 100 && !deleted(dir); i++) Thread.sleep(20);
        }
    }

    @Test
    void aVerifierRejectionIsReported() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        System.setProperty("crema.libdir", Path.of("target/native").toAbsolutePath().toString());
        // An exit without setting r0: the verifier refuses it and says why.
        byte[] bad = {(byte) DeviceFilter.EXIT, 0, 0, 0, 0, 0, 0, 0};
        var e = org.junit.jupiter.api.Assertions.assertThrows(crema.sys.SysException.class,
                () -> crema.sys.Sys.bpfProgLoad(15, bad, "Apache-2.0", "a test program"));
        assertTrue(e.getMessage().contains("bpf load a test program"), e.getMessage());
        assertTrue(e.getMessage().contains("R0"), e.getMessage());
    }

    private static boolean deleted(Path dir) {
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static Linux linux(Resources r) {
        return new Linux(null, null, null, null, r, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}

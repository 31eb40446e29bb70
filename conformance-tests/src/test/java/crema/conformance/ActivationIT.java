package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** systemd's protocols passed through as runc passes them: NOTIFY_SOCKET and LISTEN_FDS/LISTEN_PID. */
class ActivationIT extends ConformanceBase {
    private static final Path PROBE = Path.of(System.getProperty("crema.probes", "target/native"), "notify-probe");

    /** The probe listening on a datagram socket in tmp, as systemd (or podman) would; returns its output file. */
    private Path hostSocket() throws Exception {
        Path out = tmp.resolve("notify.out");
        Process p = new ProcessBuilder(PROBE.toString(), "listen", tmp.resolve("host.sock").toString(), out.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        return out;
    }

    private void sdNotifyAfter(String before) throws Exception {
        Files.copy(PROBE, bundle.rootfs.resolve("bin/notify-probe"));
        bundle.shell(before + "; notify-probe send READY=1; sleep 300").save();
    }

    @Test
    void startReturnsOnceTheContainerIsReadyAndTellsTheCaller() throws Exception {
        Path out = hostSocket();
        sdNotifyAfter("echo $NOTIFY_SOCKET > /dev/shm/seen; sleep 1");
        String id = newId();
        String env = "NOTIFY_SOCKET=" + tmp.resolve("host.sock") + " ";
        crema.shell(env + "$CREMA create --bundle " + bundle.dir + " " + id).ok();
        long t0 = System.nanoTime();
        crema.shell(env + "$CREMA start " + id).ok();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 900, "start returned after " + ms + " ms, before the container said READY=1");
        int pid = Lifecycle.pid(crema, id);
        assertEquals("READY=1\nMAINPID=" + pid + "\n", Files.readString(out));
        assertEquals("/run/notify/notify.sock\n", crema.run("exec", id, "cat", "/dev/shm/seen").ok().out());
    }

    @Test
    void aDetachedRunWaitsForReadyToo() throws Exception {
        Path out = hostSocket();
        sdNotifyAfter("sleep 0.3");
        String id = newId();
        crema.shell("NOTIFY_SOCKET=" + tmp.resolve("host.sock") + " $CREMA run -d --bundle " + bundle.dir + " " + id).ok();
        assertEquals("READY=1\nMAINPID=" + Lifecycle.pid(crema, id) + "\n", Files.readString(out));
    }

    @Test
    void listenFdsComeFirstThenThePreservedOnes() throws Exception {
        Files.writeString(tmp.resolve("a"), "listen-fd\n");
        Files.writeString(tmp.resolve("b"), "preserved-fd\n");
        bundle.shell("echo $LISTEN_FDS $LISTEN_PID; cat <&3; cat <&4; ls /proc/self/fd | tr '\\n' ' '").save();
        // LISTEN_PID must be crema's own pid: the shell execs crema in its place
        Crema.Result r = crema.shell("exec 3<" + tmp.resolve("a") + " 4<" + tmp.resolve("b") + "; LISTEN_FDS=1 LISTEN_PID=$$ exec $CREMA run"
                + " --preserve-fds 1 --bundle " + bundle.dir + " " + newId());
        assertEquals(0, r.exit(), r.err());
        assertEquals("1 1\nlisten-fd\npreserved-fd\n0 1 2 3 4 5 ", r.out());

        // another process's LISTEN_FDS are not for us
        r = crema.shell("exec 3<" + tmp.resolve("a") + "; LISTEN_FDS=1 LISTEN_PID=1 exec $CREMA run --bundle " + bundle.dir + " " + newId());
        assertTrue(r.out().startsWith("\n"), r.out());
    }
}

package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The caller's side of --console-socket (native-helpers/console-probe.c): a
 * socket that takes one pty master, writes input to it and keeps what the
 * container wrote on it, in a file that appears once the pty has closed.
 */
record ConsoleProbe(Path socket, Path out) {
    private static final Path PROBE = Path.of(System.getProperty("crema.probes", "target/native"), "console-probe");

    /** Starts a probe listening on dir/name.sock; input (or null) is written to the pty it gets. */
    static ConsoleProbe start(Path dir, String name, String input) throws Exception {
        ConsoleProbe p = new ConsoleProbe(dir.resolve(name + ".sock"), dir.resolve(name + ".out"));
        List<String> cmd = input == null ? List.of(PROBE.toString(), p.socket.toString(), p.out.toString())
                : List.of(PROBE.toString(), p.socket.toString(), p.out.toString(), input);
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertEquals(0, proc.waitFor(), new String(proc.getInputStream().readAllBytes()));
        return p;
    }

    /** What the pty carried (without the \r a terminal adds), waiting up to 6 s for the pty to close. */
    String await() throws Exception {
        for (int i = 0; i < 300 && !Files.exists(out); i++) Thread.sleep(20);
        assertTrue(Files.exists(out), "the probe got nothing: " + out);
        return Files.readString(out).replace("\r", "");
    }
}

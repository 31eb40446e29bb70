package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * process.terminal: the console-socket protocol of create, run and exec (the pty
 * master over SCM_RIGHTS, /dev/console), and the pty crema proxies itself for a
 * foreground run or exec.
 */
class TerminalIT extends ConformanceBase {
    private static final String TTY_CHECK = "tty; test -t 0 && test -t 1 && test -t 2 && echo is-a-tty";

    /** Starts the probe on a socket in tmp; it writes what the pty carried to the returned file. */
    private ConsoleProbe probe(String name, String input) throws Exception {
        return ConsoleProbe.start(tmp, name, input);
    }

    private static String await(ConsoleProbe probe) throws Exception {
        return probe.await();
    }

    private void terminal(String line) {
        bundle.set("process.terminal", true);
        bundle.shell(line);
    }

    @Test
    void createSendsThePtyMasterAndBindsItOnDevConsole() throws Exception {
        terminal(TTY_CHECK + "; stty size; stat -c '%t:%T' /dev/console; read x; echo got=$x; exit 3");
        bundle.set("process.consoleSize", new LinkedHashMap<>(Map.of("height", 33, "width", 111)));
        bundle.save();
        ConsoleProbe out = probe("create", "hello\n");
        String id = newId();
        crema.run("create", "--console-socket", tmp.resolve("create.sock").toString(), "--bundle", bundle.dir.toString(), id).ok();
        crema.run("start", id).ok();
        String got = await(out);
        assertTrue(got.startsWith("name=/dev/ptmx\n33 111\n"), got);
        assertTrue(got.contains("/dev/pts/0\nis-a-tty\n33 111\n88:0\n"), "the container's own pty, also on /dev/console: " + got);
        assertTrue(got.contains("got=hello\n"), got);
        Lifecycle.awaitStatus(crema, id, "stopped");
    }

    @Test
    void execSendsThePtyMasterToItsConsoleSocket() throws Exception {
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), id).ok();
        ConsoleProbe out = probe("exec", null);
        crema.run("exec", "--tty", "--detach", "--console-socket", tmp.resolve("exec.sock").toString(), id,
                "sh", "-c", TTY_CHECK + "; ls /proc/self/fd | tr '\\n' ' '").ok();
        String got = await(out);
        assertTrue(got.startsWith("name=/dev/ptmx\n"), got);
        assertTrue(got.matches("(?s).*/dev/pts/\\d+\nis-a-tty\n0 1 2 3 \n?"), got);
    }

    @Test
    void aForegroundRunOrExecProxiesItsOwnPty() {
        terminal(TTY_CHECK + "; exit 4");
        Crema.Result r = run();
        assertEquals(4, r.exit(), r.err());
        assertEquals("/dev/pts/0\nis-a-tty\n", r.out().replace("\r", ""));

        bundle.set("process.terminal", false);
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), id).ok();
        r = crema.run("exec", "-t", id, "sh", "-c", TTY_CHECK + "; exit 5");
        assertEquals(5, r.exit(), r.err());
        assertTrue(r.out().replace("\r", "").matches("/dev/pts/\\d+\nis-a-tty\n"), r.out());
    }

    /** The pty is the process's: its uid, and the group devpts gives (tty, gid=5 in the spec's mount), as with runc. */
    @Test
    void thePtyBelongsToTheProcessesUser() {
        bundle.set("process.user", new LinkedHashMap<>(Map.of("uid", 1000, "gid", 1000)));
        terminal("stat -c '%u %g' $(tty)");
        Crema.Result r = run();
        assertEquals("1000 5\n", r.out().replace("\r", ""), r.err());
        bundle.set("process.terminal", false);
        bundle.shell("sleep 300").save();
        String id = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), id).ok();
        r = crema.run("exec", "-t", "--user", "1001", id, "sh", "-c", "stat -c '%u %g' $(tty)");
        assertEquals("1001 5\n", r.out().replace("\r", ""), r.err());
    }

    @Test
    void aRealTerminalLendsItsSizeAndInput() {
        terminal("stty size; read x; echo got=$x");
        bundle.save();
        // script(1) gives crema a terminal of 40x120: the container's pty gets that size
        Crema.Result r = crema.shell("printf 'typed\\n' | script -qec \"stty rows 40 cols 120; $CREMA run --bundle "
                + bundle.dir + " " + newId() + "\" /dev/null");
        String out = r.out().replace("\r", "");
        assertTrue(out.contains("40 120\n"), out);
        assertTrue(out.contains("got=typed"), out);
    }

    @Test
    void runcsRulesForConsoleSockets() {
        terminal("true");
        bundle.save();
        Crema.Result r = crema.run("create", "--bundle", bundle.dir.toString(), newId());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("cannot allocate tty if crema will detach without setting console socket"), r.err());
        r = crema.run("run", "--console-socket", tmp.resolve("x.sock").toString(), "--bundle", bundle.dir.toString(), newId());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("cannot use console socket if crema will not detach or allocate tty"), r.err());

        bundle.set("process.terminal", false);
        bundle.shell("sleep 300").save();
        r = crema.run("create", "--console-socket", tmp.resolve("x.sock").toString(), "--bundle", bundle.dir.toString(), newId());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("cannot use console socket if crema will not detach or allocate tty"), r.err());
        String id = newId();
        crema.run("run", "--detach", "--bundle", bundle.dir.toString(), id).ok();
        r = crema.run("exec", "--tty", "--detach", id, "true");
        assertEquals(255, r.exit());
        assertTrue(r.err().contains("cannot allocate tty if crema will detach without setting console socket"), r.err());
    }
}

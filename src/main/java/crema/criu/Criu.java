package crema.criu;

import crema.state.ContainerException;
import crema.sys.Sys;
import crema.sys.SysException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CRIU, driven through its command line: every option crema needs has a flag
 * there, and so crema carries no protobuf runtime and no second protocol. A
 * failure becomes one line naming the step, CRIU's first error and its log.
 */
public final class Criu {
    /** How long `criu check` may take (it probes the kernel, seconds under emulation). */
    private static final long CHECK_SECONDS = 120;
    /** How long a dump or restore may take: a big container under emulation is slow, a hung CRIU is not. */
    private static final long RUN_SECONDS = 1800;

    private final Path binary;

    private Criu(Path binary) {
        this.binary = binary;
    }

    /** The criu of --criu, or of PATH (also the sbin dirs, which a caller's PATH may lack). */
    public static Criu locate(String flag) {
        if (flag != null && !flag.isEmpty()) {
            Path p = Path.of(flag);
            if (flag.contains("/")) {
                if (!Files.isExecutable(p)) throw new ContainerException("--criu: " + flag + " is not an executable file");
                return new Criu(p);
            }
            return onPath(flag);
        }
        return onPath("criu");
    }

    private static Criu onPath(String name) {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>(List.of((path == null ? "" : path).split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) return new Criu(p);
        }
        throw new ContainerException("criu: executable file not found in $PATH (install Debian's criu, or give --criu)");
    }

    public Path binary() {
        return binary;
    }

    /**
     * `criu check`: null when CRIU can work on this kernel, else its first
     * error line (CRIU 3.17 on a kernel whose vDSO it does not know says
     * "vdso: Unexpected rt vDSO area bounds").
     */
    public String checkFailure() {
        Path tmp = tempDir();
        try {
            // cwd: a relative log-file in /etc/criu/default.conf lands there
            Process p = new ProcessBuilder(binary.toString(), "check").directory(tmp.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(CHECK_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "criu check did not finish within " + CHECK_SECONDS + " s";
            }
            if (p.exitValue() == 0) return null;
            String first = firstError(new String(out, StandardCharsets.UTF_8));
            return first != null ? first : "criu check exited with " + p.exitValue();
        } catch (IOException e) {
            throw new ContainerException("run " + binary + " check: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while waiting for criu check");
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // a temp dir left behind (criu wrote a log in it) harms nothing
            }
        }
    }

    /**
     * Runs criu with these arguments (its stdio are crema's: a restored
     * process may inherit them; fdMap's (from, to) pairs give it more, for
     * --inherit-fd), and fails with one line naming what failed and where
     * CRIU's log is.
     */
    public void run(String what, List<String> args, Path log, int... fdMap) {
        List<String> argv = new ArrayList<>();
        argv.add(binary.toString());
        argv.addAll(args);
        int pid;
        try {
            pid = Sys.spawn(binary.toString(), argv, Sys.environment(), fdMap);
        } catch (SysException e) {
            throw new ContainerException(what + " failed: " + e.getMessage(), e);
        }
        int code = exitCode(pid, what, log);
        if (code != 0) {
            String error = null;
            try {
                error = firstError(Files.readString(log, StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // no log: criu failed before writing it; the exit code is all there is
            }
            throw new ContainerException(what + " failed: criu " + (code < 0 ? "was killed by signal " + -code
                    : "exited with " + code) + (error == null ? "" : ": " + error) + "; see " + log);
        }
    }

    /** criu's exit code, or minus the signal that ended it; killed after RUN_SECONDS. */
    private static int exitCode(int pid, String what, Path log) {
        Integer status;
        try {
            status = Sys.waitpidWithin(pid, TimeUnit.SECONDS.toNanos(RUN_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Sys.kill(pid, 9);
            Sys.waitpid(pid, 0);
            throw new ContainerException(what + " failed: interrupted while waiting for criu; see " + log);
        }
        if (status == null) {
            throw new ContainerException(what + " failed: criu did not finish within " + RUN_SECONDS + " s; see " + log);
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -(status & 0x7f);
    }

    /** The first line of CRIU's output that reports an error, without its leading "Error (file:line): ". */
    static String firstError(String output) {
        for (String line : output.split("\n")) {
            int at = line.indexOf("Error (");
            if (at < 0) continue;
            int close = line.indexOf("): ", at);
            return (close < 0 ? line.substring(at) : line.substring(close + 3)).trim();
        }
        return null;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("crema-criu-check");
        } catch (IOException e) {
            throw new ContainerException("make a temp dir for criu check: " + e.getMessage(), e);
        }
    }
}

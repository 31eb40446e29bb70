package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What `criu check` says of this kernel: the checkpoint tests run where it passes, and test the refusal where not. */
public final class CriuCheck {
    private CriuCheck() {}

    /** The criu binary; the calling test is skipped without one. */
    public static Path binary() {
        Path criu = null;
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin"}) {
            if (Files.isExecutable(Path.of(dir, "criu"))) criu = Path.of(dir, "criu");
        }
        assumeTrue(criu != null, "criu is not installed (apt-get install criu)");
        return criu;
    }

    /** Skips the calling test unless `criu check --feature name` passes (lazy pages: uffd-noncoop). */
    public static void assumeFeature(String name) throws Exception {
        Process p = new ProcessBuilder(binary().toString(), "check", "--feature", name).redirectErrorStream(true)
                .directory(Path.of(System.getProperty("java.io.tmpdir")).toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "criu check --feature " + name + " did not finish within 120 s");
        assumeTrue(p.exitValue() == 0, "criu check --feature " + name + " fails here: " + out.trim());
    }

    /** criu check's first error line, or null when it passes; the calling test is skipped without criu. */
    public static String failure() throws Exception {
        Path criu = binary();
        // criu check writes its log in the working directory
        Process p = new ProcessBuilder(criu.toString(), "check").redirectErrorStream(true)
                .directory(Path.of(System.getProperty("java.io.tmpdir")).toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "criu check did not finish within 120 s");
        if (p.exitValue() == 0) return null;
        for (String line : out.split("\n")) if (line.contains("Error (")) return line.substring(line.indexOf("): ") + 3).trim();
        return "criu check exited with " + p.exitValue();
    }

    /** Skips the calling test unless criu check passes here. */
    public static void assumeWorks() throws Exception {
        String failure = failure();
        assumeTrue(failure == null, "criu check fails on this kernel (" + failure + "): the refusal is tested instead");
    }
}

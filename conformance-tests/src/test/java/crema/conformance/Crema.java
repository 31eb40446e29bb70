package crema.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the built `crema` binary (system property crema.binary) with a private --root. */
final class Crema {
    /** What one command did. */
    record Result(int exit, String out, String err) {
        Result ok() {
            if (exit != 0) throw new AssertionError("expected exit 0, got " + exit + "\nstdout: " + out + "\nstderr: " + err);
            return this;
        }
    }

    static final Path BINARY = Path.of(System.getProperty("crema.binary", "target/crema-install/bin/crema"));
    final Path root;

    Crema(Path root) {
        this.root = root;
    }

    Result run(String... args) {
        return runWith(java.util.Map.of(), args);
    }

    /** Like run, with extra environment variables. */
    Result runWith(java.util.Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY.toString());
        cmd.add("--root");
        cmd.add(root.toString());
        cmd.addAll(List.of(args));
        return exec(cmd, null, env);
    }

    /** A shell line, for fd plumbing that ProcessBuilder cannot do; $CREMA is the binary with --root. */
    Result shell(String line) {
        return exec(List.of("/bin/sh", "-c", line), BINARY + " --root " + root, java.util.Map.of());
    }

    private static Result exec(List<String> cmd, String cremaVar, java.util.Map<String, String> env) {
        java.util.Map<String, String> all = new java.util.HashMap<>(env);
        if (cremaVar != null) all.put("CREMA", cremaVar);
        return exec(cmd, null, all, 60);
    }

    /** cmd in dir (null: ours) with env added and stdin from /dev/null; killed with what it started after the timeout. */
    static Result exec(List<String> cmd, Path dir, java.util.Map<String, String> env, int timeoutSeconds) {
        try {
            Path out = Files.createTempFile("crema-out", ".txt");
            Path err = Files.createTempFile("crema-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            if (dir != null) pb.directory(dir.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + cmd);
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

package crema.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A non-root user made for a test (useradd, with the /etc/subuid and
 * /etc/subgid ranges useradd grants), its home and its XDG_RUNTIME_DIR under
 * a directory of the test's own. Commands run as it with setpriv and a clean
 * environment. {@link #close} kills what still runs as it, removes it with
 * userdel and checks that nothing of it is left: no process, no passwd or
 * subuid line, no mount below its directory.
 */
public final class TestUser implements AutoCloseable {
    public record Result(int exit, String out, String err) {
        public Result ok() {
            if (exit != 0) throw new AssertionError("expected exit 0, got " + exit + "\nstdout: " + out + "\nstderr: " + err);
            return this;
        }
    }

    public final String name;
    public final int uid;
    public final int gid;
    public final Path base;
    public final Path home;
    public final Path runtimeDir;

    private TestUser(String name, int uid, int gid, Path base) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
        this.base = base;
        this.home = base.resolve("home");
        this.runtimeDir = base.resolve("run");
    }

    /** A new user named prefix + this JVM's pid (useradd's limit is 32 characters). */
    public static TestUser create(String prefix) {
        String name = prefix + ProcessHandle.current().pid();
        try {
            Path base = Files.createTempDirectory("crema-" + name + "-");
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            asRoot("useradd", "--create-home", "--home-dir", base.resolve("home").toString(), "--shell", "/bin/sh",
                    "--user-group", name).ok();
            int uid = Integer.parseInt(asRoot("id", "-u", name).ok().out().trim());
            int gid = Integer.parseInt(asRoot("id", "-g", name).ok().out().trim());
            TestUser u = new TestUser(name, uid, gid, base);
            Files.createDirectory(u.runtimeDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            asRoot("chown", uid + ":" + gid, u.runtimeDir.toString()).ok();
            return u;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The user's environment: HOME, USER, PATH, XDG_RUNTIME_DIR, plus extra. */
    public Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new java.util.LinkedHashMap<>(Map.of("HOME", home.toString(), "USER", name,
                "LOGNAME", name, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "XDG_RUNTIME_DIR", runtimeDir.toString()));
        env.putAll(extra);
        return env;
    }

    /** A shell line run as this user in its home, with {@link #env}; a null value removes a variable. */
    public Result sh(String line) {
        return sh(Map.of(), line, 60);
    }

    public Result sh(Map<String, String> extraEnv, String line, int timeoutSeconds) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups",
                "--", "env", "-i"));
        env(extraEnv).forEach((k, v) -> {
            if (v != null) cmd.add(k + "=" + v);
        });
        cmd.addAll(List.of("/bin/sh", "-c", line));
        return exec(cmd, home, timeoutSeconds);
    }

    /** Writes a file the user owns (mode 0644). */
    public Path write(Path file, String text) {
        try {
            Files.writeString(file, text);
            asRoot("chown", uid + ":" + gid, file.toString()).ok();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Host pids whose real or effective uid is this user's. */
    public List<Long> processes() {
        List<Long> pids = new ArrayList<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : dirs.toList()) {
                if (!d.getFileName().toString().chars().allMatch(Character::isDigit)) continue;
                try {
                    for (String line : Files.readAllLines(d.resolve("status"))) {
                        if (!line.startsWith("Uid:")) continue;
                        String[] ids = line.substring(4).trim().split("\\s+");
                        if (ids[0].equals(Integer.toString(uid)) || ids[1].equals(Integer.toString(uid))) {
                            pids.add(Long.parseLong(d.getFileName().toString()));
                        }
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    /** Kills what runs as the user (by pid, each one the test made), removes it and its files, checks nothing is left. */
    @Override
    public void close() {
        List<String> left = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Long> pids;
        while (!(pids = processes()).isEmpty() && System.nanoTime() < deadline) {
            for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            sleep(100);
        }
        if (!pids.isEmpty()) left.add("processes " + pids);
        Result del = asRoot("userdel", "--remove", name);
        if (del.exit() != 0 && !del.err().contains("mail spool")) left.add("userdel: " + del.err());
        asRoot("rm", "-rf", "--one-file-system", base.toString());
        try {
            for (String f : List.of("/etc/passwd", "/etc/group", "/etc/subuid", "/etc/subgid")) {
                if (Files.exists(Path.of(f)) && Files.readAllLines(Path.of(f)).stream().anyMatch(l -> l.startsWith(name + ":"))) {
                    left.add(f + " still names " + name);
                }
            }
            if (Files.readString(Path.of("/proc/self/mountinfo")).contains(base.toString())) left.add("mounts below " + base);
        } catch (IOException e) {
            left.add(e.toString());
        }
        if (Files.exists(base)) left.add(base + " still exists");
        if (!left.isEmpty()) throw new AssertionError("test user " + name + " left: " + left);
    }

    public static Result asRoot(String... cmd) {
        return exec(List.of(cmd), Path.of("/"), 60);
    }

    private static Result exec(List<String> cmd, Path dir, int timeoutSeconds) {
        Crema.Result r = Crema.exec(cmd, dir, Map.of(), timeoutSeconds);
        return new Result(r.exit(), r.out(), r.err());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

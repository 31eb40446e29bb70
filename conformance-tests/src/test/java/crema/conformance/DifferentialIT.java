package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same bundles under runc and under crema, compared from inside (differential/probe.sh) and from
 * the host (the cgroup files): `runc spec` and `crema spec`, configs of the OCI suite's generator,
 * configs that podman, containerd and dockerd passed (differential/README.md), and mutations of them.
 * Every difference must be a known one, with its reason; a known one that is gone fails too.
 */
class DifferentialIT {
    static final Path RUNC = Path.of("/usr/sbin/runc");
    static final List<String> ENGINE_CONFIGS = List.of("podman-default", "podman-user", "podman-memory",
            "podman-readonly", "containerd-default", "containerd-memory", "containerd-readonly",
            "containerd-cri-sandbox", "docker-default", "docker-user", "docker-memory", "docker-readonly");

    /** A kept difference: the cases it shows in (a regex on their names), the diff line (a regex), why; on this host? */
    record Known(String cases, String diff, String reason, boolean applies) {
        Known(String cases, String diff, String reason) {
            this(cases, diff, reason, true);
        }
    }

    static List<Known> knownDifferences() {
        List<Known> k = new ArrayList<>();
        // The configs with a ro cgroup mount, those with a masked directory, those with a tmpcopyup tmpfs.
        String cgroupMount = "(?!.*no-mount-namespace$)(runc-spec|crema-spec|podman-|docker-).*";
        String maskedDirs = "(?!generate$|generate-(userns|user|caps|resources)$|.*no-mount-namespace$).*";
        boolean hybrid = !CgroupFs.V2 && Files.isDirectory(Path.of("/sys/fs/cgroup/unified"));
        String cgroupRo = "security: the ro of a cgroup mount also makes the tmpfs that holds the v1 hierarchies"
                + " read-only; runc 1.1 leaves that tmpfs writable";
        k.add(new Known(cgroupMount, "runc only: mountinfo: /sys/fs/cgroup tmpfs rw,.*", cgroupRo, !CgroupFs.V2));
        k.add(new Known(cgroupMount, "crema only: mountinfo: /sys/fs/cgroup tmpfs ro,.*", cgroupRo, !CgroupFs.V2));
        k.add(new Known(cgroupMount, "crema only: mountinfo: /sys/fs/cgroup/unified cgroup2 ro,.*",
                "convention: on a hybrid host crema also mounts the container's own unified cgroup, read-only, where"
                        + " systemd puts the unified hierarchy on the host; runc 1.1 leaves it out", hybrid));
        String mask = "security: the tmpfs that masks a directory is also nosuid,nodev,noexec; runc's is only ro";
        k.add(new Known(maskedDirs, "runc only: mountinfo: \\S+ tmpfs ro,relatime ro(,uid=\\d+,gid=\\d+)? private", mask));
        k.add(new Known(maskedDirs, "crema only: mountinfo: \\S+ tmpfs ro,nosuid,nodev,noexec,relatime ro(,uid=\\d+,gid=\\d+)? private", mask));
        String copyup = "the same mode: crema gives a tmpcopyup tmpfs the directory's mode as its mode= option, runc"
                + " chmods the mount point after";
        k.add(new Known("(podman|docker)-readonly", "runc only: mountinfo: /tmp tmpfs \\S+ rw private", copyup));
        k.add(new Known("(podman|docker)-readonly", "crema only: mountinfo: /tmp tmpfs \\S+ rw,mode=755 private", copyup));
        String domain = "spec: runc 1.1 ignores `domainname` (a runtime-spec 1.1 field); crema sets it";
        k.add(new Known("generate-paths|runc-spec\\+uts-names", "runc only: uts: domainname \\(none\\)", domain));
        k.add(new Known("generate-paths|runc-spec\\+uts-names", "crema only: uts: domainname \\S+", domain));
        String mqueue = "convention: in a user namespace crema's init becomes the namespace's root, uid and gid, before it"
                + " makes the IPC namespace, so /dev/mqueue is 0:0; runc 1.1's has the overflow gid, 65534";
        k.add(new Known("generate-userns|docker-default\\+userns", "runc only: dev: /dev/mqueue\\|.*\\|0:65534", mqueue));
        k.add(new Known("generate-userns|docker-default\\+userns", "crema only: dev: /dev/mqueue\\|.*\\|0:0", mqueue));
        k.add(new Known("generate-userns", "mountinfo: the same mounts in another order",
                "order only: in a user namespace the default devices are bind mounts, made in another order"));
        return k;
    }

    @TempDir
    Path tmp;

    @Test
    void cremaSeesWhatRuncSees() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the runtimes need root");
        assumeTrue(Files.isExecutable(RUNC), "no runc to compare with");
        // Reachable by a container root that a user namespace maps to another uid.
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, Map<String, Object>> cases = cases();
        Map<String, List<String>> diffs = new LinkedHashMap<>();
        StringBuilder detail = new StringBuilder();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (var c : cases.entrySet()) {
                List<String> r = List.of(), m = List.of();
                // A run that timed out (runc's, under load, now and then) is tried once more in a fresh dir.
                for (int attempt = 0; attempt < 2 && (attempt == 0 || timedOut(r) || timedOut(m)); attempt++) {
                    Path dir = Files.createDirectories(tmp.resolve(c.getKey() + (attempt == 0 ? "" : "-again")));
                    Future<List<String>> runc = pool.submit(() -> ProbeRun.run(RUNC.toString(), c.getValue(), dir));
                    Future<List<String>> crema = pool.submit(() -> ProbeRun.run(Crema.BINARY.toString(), c.getValue(), dir));
                    r = runc.get(150, TimeUnit.SECONDS);
                    m = crema.get(150, TimeUnit.SECONDS);
                }
                List<String> d = diff(r, m);
                diffs.put(c.getKey(), d);
                System.out.printf("differential: %s: runc %s, crema %s%n", c.getKey(), outcome(r), outcome(m));
                // -Ddifferential.dump=DIR keeps each run's normalised lines, to look into a difference.
                if (System.getProperty("differential.dump") != null) {
                    Path dump = Files.createDirectories(Path.of(System.getProperty("differential.dump")));
                    Files.write(dump.resolve(c.getKey() + ".runc"), r);
                    Files.write(dump.resolve(c.getKey() + ".crema"), m);
                }
                if (!d.isEmpty()) {
                    detail.append("\n").append(c.getKey()).append(":\n  ").append(String.join("\n  ", d));
                    r.stream().filter(l -> l.startsWith("stderr: ")).forEach(l -> detail.append("\n  runc ").append(l));
                    m.stream().filter(l -> l.startsWith("stderr: ")).forEach(l -> detail.append("\n  crema ").append(l));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("differential: " + cases.size() + " configs; differences:" + detail);
        List<String> problems = problems(diffs, knownDifferences());
        if (!problems.isEmpty()) fail(String.join("\n", problems) + "\n--- all differences:" + detail);
    }

    /** How a run ended, and how much the probe said. */
    private static String outcome(List<String> run) {
        String end = run.stream().filter(l -> l.startsWith("run: ")).findFirst().orElse("run: ?").substring(5);
        return end + " (" + run.size() + " lines)";
    }

    private static boolean timedOut(List<String> run) {
        return run.contains("run: timed out");
    }

    /** The gate on made-up runs: a new difference, a known one, a known one gone. */
    @Test
    void theGateNamesWhatChanged() {
        List<String> runc = List.of("status: Uid: 0", "mountinfo: /a tmpfs rw rw private", "mountinfo: /b proc rw rw private");
        List<String> crema = List.of("status: Uid: 0", "mountinfo: /b proc rw rw private", "mountinfo: /a tmpfs rw rw private",
                "env: X=1", "stderr: ignored");
        assertEquals(List.of("crema only: env: X=1", "mountinfo: the same mounts in another order"), diff(runc, crema));
        Map<String, List<String>> diffs = new LinkedHashMap<>();
        diffs.put("one", List.of("crema only: env: X=1"));
        diffs.put("two", List.of());
        assertEquals(List.of(), problems(diffs, List.of(new Known("one", "crema only: env: .*", "spec"))));
        assertEquals(List.of("one: new difference: crema only: env: X=1",
                "two: known difference gone: runc only: x (bug)"), problems(diffs,
                        List.of(new Known("two", "runc only: x", "bug"))));
    }

    /** What one side has and the other has not (as multisets; stderr aside), and a change of mount order. */
    static List<String> diff(List<String> runc, List<String> crema) {
        List<String> r = runc.stream().filter(l -> !l.startsWith("stderr: ")).toList();
        List<String> c = crema.stream().filter(l -> !l.startsWith("stderr: ")).toList();
        List<String> d = new ArrayList<>();
        Map<String, Integer> left = new HashMap<>();
        c.forEach(l -> left.merge(l, 1, Integer::sum));
        for (String l : r) {
            if (left.getOrDefault(l, 0) > 0) left.merge(l, -1, Integer::sum);
            else d.add("runc only: " + l);
        }
        for (String l : c) {
            if (left.getOrDefault(l, 0) > 0) {
                left.merge(l, -1, Integer::sum);
                d.add("crema only: " + l);
            }
        }
        List<String> rm = r.stream().filter(l -> l.startsWith("mountinfo: ")).toList();
        List<String> cm = c.stream().filter(l -> l.startsWith("mountinfo: ")).toList();
        if (d.stream().noneMatch(l -> l.contains(": mountinfo: ")) && !rm.equals(cm)) {
            d.add("mountinfo: the same mounts in another order");
        }
        return d;
    }

    /** Each difference not known for its case, and each known one that did not show in a case it names. */
    static List<String> problems(Map<String, List<String>> diffs, List<Known> known) {
        List<String> problems = new ArrayList<>();
        diffs.forEach((name, d) -> {
            for (String line : d) {
                if (known.stream().noneMatch(k -> k.applies() && name.matches(k.cases()) && line.matches(k.diff()))) {
                    problems.add(name + ": new difference: " + line);
                }
            }
            for (Known k : known) {
                if (k.applies() && name.matches(k.cases()) && d.stream().noneMatch(l -> l.matches(k.diff()))) {
                    problems.add(name + ": known difference gone: " + k.diff() + " (" + k.reason() + ")");
                }
            }
        });
        return problems;
    }

    /** Every config, by name, in the order they run. */
    Map<String, Map<String, Object>> cases() throws IOException, InterruptedException {
        Map<String, Map<String, Object>> cases = new LinkedHashMap<>();
        cases.put("runc-spec", spec(RUNC.toString()));
        cases.put("crema-spec", spec(Crema.BINARY.toString()));
        generated(cases);
        for (String name : ENGINE_CONFIGS) cases.put(name, resource(name + ".json"));
        mutations(cases);
        return cases;
    }

    private Map<String, Object> spec(String runtime) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(tmp.resolve("spec-" + Path.of(runtime).getFileName()));
        String out = command(List.of(runtime, "spec", "--bundle", dir.toString()));
        return tree(Files.readString(dir.resolve("config.json")), out);
    }

    /** Configs of the OCI validation suite's generator (built by scripts/runtime-tools --build). */
    private void generated(Map<String, Map<String, Object>> cases) throws IOException, InterruptedException {
        String tool = command(List.of("scripts/runtime-tools", "--build")).strip();
        Map<String, List<String>> flags = new LinkedHashMap<>();
        flags.put("generate", List.of());
        flags.put("generate-userns", List.of("--linux-namespace-add", "user", "--linux-uidmappings", "100000:0:65536",
                "--linux-gidmappings", "100000:0:65536"));
        flags.put("generate-user", List.of("--process-uid", "1000", "--process-gid", "1000", "--process-groups", "10", "--process-groups", "20",
                "--process-umask", "63", "--process-cwd", "/tmp", "--process-no-new-privileges", "--env", "A=1"));
        flags.put("generate-caps", List.of("--process-cap-drop-all", "--process-cap-add-bounding", "CAP_KILL",
                "--process-cap-add-permitted", "CAP_KILL", "--process-cap-add-effective", "CAP_KILL"));
        flags.put("generate-resources", List.of("--linux-mem-limit", "67108864", "--linux-mem-reservation", "33554432",
                "--linux-cpu-shares", "512", "--linux-cpu-quota", "50000", "--linux-cpu-period", "100000",
                "--linux-pids-limit", "64", "--linux-cpus", "0", "--linux-mems", "0", "--linux-oom-score-adj", "100"));
        flags.put("generate-paths", List.of("--rootfs-readonly", "--linux-masked-paths", "/etc",
                "--linux-readonly-paths", "/tmp", "--hostname", "gen", "--domainname", "example.org",
                "--process-rlimits-add", "RLIMIT_CORE:2048:1024", "--linux-namespace-add", "cgroup"));
        for (var f : flags.entrySet()) {
            List<String> cmd = new ArrayList<>(List.of(tool, "generate"));
            cmd.addAll(f.getValue());
            cases.put(f.getKey(), tree(command(cmd), f.getKey()));
        }
    }

    /** Configs changed one way each, from a base above. */
    private static void mutations(Map<String, Map<String, Object>> cases) {
        mutate(cases, "docker-default", "no-bounding-set", c -> caps(c).remove("bounding"));
        mutate(cases, "docker-default", "no-capabilities", c -> process(c).remove("capabilities"));
        mutate(cases, "docker-default", "ambient-caps", c -> {
            for (String set : List.of("inheritable", "ambient")) caps(c).put(set, List.of("CAP_NET_BIND_SERVICE"));
        });
        mutate(cases, "docker-default", "userns", c -> {
            namespaces(c).add(Map.of("type", "user"));
            linux(c).remove("sysctl"); // docker's ping_group_range "0 0" names a gid the new network namespace's owner lacks
            linux(c).put("uidMappings", List.of(Map.of("containerID", 0, "hostID", 100000, "size", 65536)));
            linux(c).put("gidMappings", List.of(Map.of("containerID", 0, "hostID", 100000, "size", 65536)));
        });
        mutate(cases, "runc-spec", "readonly-root", c -> root(c).put("readonly", true));
        mutate(cases, "runc-spec", "masked-paths", c -> {
            linux(c).put("maskedPaths", List.of("/proc/cpuinfo", "/sys/kernel", "/etc", "/does-not-exist"));
            linux(c).put("readonlyPaths", List.of("/proc/sys", "/bin", "/also-not-there"));
        });
        mutate(cases, "runc-spec", "seccomp", c -> linux(c).put("seccomp", Map.of("defaultAction", "SCMP_ACT_ALLOW",
                "architectures", List.of("SCMP_ARCH_X86_64"),
                "syscalls", List.of(Map.of("names", List.of("mknod", "mknodat"), "action", "SCMP_ACT_ERRNO")))));
        mutate(cases, "runc-spec", "rlimits", c -> process(c).put("rlimits", List.of(
                Map.of("type", "RLIMIT_NOFILE", "hard", 4096, "soft", 512),
                Map.of("type", "RLIMIT_NPROC", "hard", 1000, "soft", 900),
                Map.of("type", "RLIMIT_STACK", "hard", 16777216, "soft", 8388608))));
        mutate(cases, "runc-spec", "other-user", c -> process(c).put("user",
                Map.of("uid", 1000, "gid", 1000, "additionalGids", List.of(10, 1000, 20), "umask", 7)));
        mutate(cases, "runc-spec", "missing-cwd", c -> process(c).put("cwd", "/does/not/exist"));
        mutate(cases, "runc-spec", "no-new-privs-oom", c -> {
            process(c).put("noNewPrivileges", true);
            process(c).put("oomScoreAdj", 500);
        });
        mutate(cases, "runc-spec", "env-duplicates", c -> process(c).put("env", List.of("A=1", "B=2", "A=3", "EMPTY=")));
        mutate(cases, "runc-spec", "host-network-cgroupns", c -> {
            namespaces(c).removeIf(n -> "network".equals(n.get("type")));
            namespaces(c).add(Map.of("type", "cgroup"));
        });
        // With maskedPaths runc refuses it too. Not without: runc would then mount into the test's own mount namespace.
        mutate(cases, "runc-spec", "no-mount-namespace", c -> namespaces(c).removeIf(n -> "mount".equals(n.get("type"))));
        mutate(cases, "runc-spec", "uts-names", c -> {
            c.put("hostname", "probe-host");
            c.put("domainname", "probe.example");
        });
        mutate(cases, "runc-spec", "devices-and-mounts", c -> {
            linux(c).put("devices", List.of(Map.of("path", "/dev/fuse", "type", "c", "major", 10, "minor", 229,
                    "fileMode", 438, "uid", 0, "gid", 0)));
            mounts(c).add(Map.of("destination", "/run", "type", "tmpfs", "source", "tmpfs",
                    "options", List.of("nosuid", "noexec", "mode=700", "size=1m")));
            mounts(c).add(Map.of("destination", "/mnt/bin", "type", "bind", "source", "@DIRS@/shm",
                    "options", List.of("rbind", "ro", "nodev")));
            mounts(c).add(Map.of("destination", "/sys/fs/cgroup", "type", "cgroup", "source", "cgroup",
                    "options", List.of("ro", "nosuid", "noexec", "nodev")));
        });
        mutate(cases, "runc-spec", "rootfs-propagation", c -> linux(c).put("rootfsPropagation", "slave"));
    }

    private static void mutate(Map<String, Map<String, Object>> cases, String base, String name,
            Consumer<Map<String, Object>> change) {
        Map<String, Object> c = tree(Json.write(cases.get(base)), name);
        change.accept(c);
        cases.put(base + "+" + name, c);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> process(Map<String, Object> c) {
        return (Map<String, Object>) c.get("process");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> caps(Map<String, Object> c) {
        return (Map<String, Object>) process(c).get("capabilities");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> root(Map<String, Object> c) {
        return (Map<String, Object>) c.get("root");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> linux(Map<String, Object> c) {
        return (Map<String, Object>) c.get("linux");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> namespaces(Map<String, Object> c) {
        return (List<Map<String, Object>>) linux(c).get("namespaces");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> mounts(Map<String, Object> c) {
        return (List<Object>) c.get("mounts");
    }

    private static Map<String, Object> resource(String name) throws IOException {
        try (InputStream in = DifferentialIT.class.getResourceAsStream("/differential/" + name)) {
            if (in == null) throw new IOException("no test resource differential/" + name);
            return tree(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
        }
    }

    /** A JSON object as a mutable tree (the parser's lists and maps are mutable). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(String json, String what) {
        try {
            return (Map<String, Object>) Json.parse(json);
        } catch (RuntimeException e) {
            throw new AssertionError("not a config: " + what + ": " + json, e);
        }
    }

    /** Runs a command to its end (bounded), returns its stdout; fails on a non-zero exit. */
    private static String command(List<String> cmd) throws IOException, InterruptedException {
        Path err = Files.createTempFile("differential", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            if (p.exitValue() != 0) throw new AssertionError(cmd + " exited " + p.exitValue() + ": " + Files.readString(err) + out);
            return out;
        } finally {
            Files.delete(err);
        }
    }
}

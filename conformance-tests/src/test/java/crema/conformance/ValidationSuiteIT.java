package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The OCI runtime validation suite (opencontainers/runtime-tools, vendored in
 * conformance-tests/runtime-tools/) against the staged crema, through
 * scripts/runtime-tools. Every failure must be a known one, failing for its
 * known reason; a known one that passes must leave the list.
 */
class ValidationSuiteIT {
    static final int PROGRAMS = 58;
    /** Fewer passes than this is a regression whatever the list says (this host: 47). */
    static final int FLOOR = 45;

    /** Why a program fails here: the text its FAIL line holds, the cause, and whether it applies to this host. */
    record Known(String says, String cause, boolean applies) {
        Known(String says, String cause) {
            this(says, cause, true);
        }
    }

    static Map<String, Known> knownFailures() {
        Map<String, Known> k = new LinkedHashMap<>();
        // The host: each probed, so that a host with the feature must pass.
        boolean noWeight = !Files.exists(Path.of("/sys/fs/cgroup/blkio/blkio.weight"))
                && !Files.exists(Path.of("/sys/fs/cgroup/blkio/blkio.bfq.weight"));
        String blkio = "host: no blkio.weight (no BFQ I/O scheduler in this kernel), so linux.resources.blockIO.weight"
                + " cannot be set; runc and crun fail alike";
        k.put("linux_cgroups_blkio", new Known("blkio.weight: no such file or directory", blkio, noWeight));
        k.put("linux_cgroups_relative_blkio", new Known("blkio.weight: no such file or directory", blkio, noWeight));
        String kmem = "host: the kernel takes memory.kmem.limit_in_bytes and ignores it (no kernel-memory limit since"
                + " Linux 6.x), so linux.resources.memory.kernel reads back unlimited; runc and crun fail alike";
        boolean kmemIgnored = kernelMemoryLimitIgnored();
        k.put("linux_cgroups_memory", new Known("memory kernel is set correctly", kmem, kmemIgnored));
        k.put("linux_cgroups_relative_memory", new Known("memory kernel is set correctly", kmem, kmemIgnored));
        // scripts/runtime-tools mounts net_cls,net_prio and hugetlb (in its own mount namespace) where the kernel has them.
        String hugetlb = "host: the kernel has no hugetlb controller; runc and crun fail alike";
        boolean noHugetlb = !controllerInKernel("hugetlb");
        k.put("linux_cgroups_hugetlb", new Known("the hugetlb cgroup controller is not mounted", hugetlb, noHugetlb));
        k.put("linux_cgroups_relative_hugetlb", new Known("the hugetlb cgroup controller is not mounted", hugetlb, noHugetlb));
        String net = "host: the kernel has no net_cls/net_prio controller; runc and crun fail alike";
        boolean noNet = !controllerInKernel("net_cls") || !controllerInKernel("net_prio");
        k.put("linux_cgroups_network", new Known("net_cls cgroup controller is not mounted", net, noNet));
        k.put("linux_cgroups_relative_network", new Known("net_cls cgroup controller is not mounted", net, noNet));
        k.put("process_capabilities", new Known("capset: operation not permitted",
                "host: the bounding set lacks a capability (CAP_SYS_RESOURCE here) that the privileged config asks for;"
                        + " runc and crun fail alike", boundingSetLacksACap()));
        // The suite.
        k.put("misc_props", new Known("/runtimetest",
                "suite: its bundle has no /runtimetest, the process it runs; every runtime fails"));
        k.put("pidfile", new Known("container not running",
                "suite: its process (`true`) has exited when it kills the container, and it wants kill to succeed;"
                        + " the spec wants an error (runc: \"container not running\", crun: \"No such process\")"));
        k.put("start", new Known("exit status 1",
                "suite: it wants create to take a config without `process` and then start to succeed (an inverted"
                        + " check: the spec wants start to fail); crema, runc and crun refuse the config at create"));
        k.put("process_rlimits", new Known("has expected soft RLIMIT_NOFILE",
                "suite: runtimetest, built with Go >= 1.19, raises its own soft RLIMIT_NOFILE to the hard limit"
                        + " before it checks it; every runtime fails"));
        k.put("delete", new Known("a container that is not `stopped` MUST generate an error",
                "convention: crema deletes a created container without --force, as runc and crun do and"
                        + " containerd's shim relies on; the suite wants an error"));
        // crema.
        k.put("linux_ns_itype", new Known("the container needs a mount namespace of its own",
                "crema: a config without a mount namespace (the runtime's is inherited) is refused; runc and crun"
                        + " set the rootfs up in the inherited namespace and chroot, which needs crema-init"));
        return k;
    }

    @Test
    void theSuitePassesButForItsKnownFailures() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the suite needs root");
        assumeFalse(CgroupFs.V2, "the known failures are a cgroup v1 (hybrid) host's");
        List<String> lines = runSuite();
        List<String> problems = problems(lines, knownFailures());
        if (!problems.isEmpty()) fail(String.join("\n", problems));
    }

    /** The gate itself, on made-up output: a new failure, a wrong reason, a fixed one, a missing line, the floor. */
    @Test
    void theGateNamesWhatChanged() {
        Map<String, Known> known = Map.of("a", new Known("kernel", "host"), "b", new Known("spec", "suite"),
                "c", new Known("x", "host", false));
        List<String> all = new ArrayList<>();
        for (int i = 0; i < PROGRAMS - 4; i++) all.add("PASS p" + (char) ('a' + i % 26) + i);
        List<String> lines = new ArrayList<>(all);
        lines.addAll(List.of("FAIL a: the kernel says no", "FAIL b: the spec says no", "PASS c", "PASS d",
                "runtime-tools: " + (PROGRAMS - 2) + " of " + PROGRAMS + " passed"));
        assertEquals(List.of(), problems(lines, known));
        lines.set(PROGRAMS - 4, "FAIL a: something else");
        lines.set(PROGRAMS - 2, "FAIL c: x");
        lines.set(PROGRAMS - 1, "FAIL d: new");
        lines.set(PROGRAMS, "runtime-tools: " + (PROGRAMS - 4) + " of " + PROGRAMS + " passed");
        assertEquals(List.of("a fails for another reason than its known one (host): something else",
                "new failure: c: x", "new failure: d: new"), problems(lines, known).subList(0, 3));
        lines.set(PROGRAMS - 3, "PASS b");
        lines.set(PROGRAMS, "runtime-tools: " + (PROGRAMS - 3) + " of " + PROGRAMS + " passed");
        assertTrue(problems(lines, known).contains("b passes now: take it off the known failures (suite)"));
        assertTrue(problems(lines.subList(1, lines.size()), known).contains("expected one line per program, got " + (PROGRAMS - 1)));
    }

    /** What is wrong with the suite's output against the known failures; empty when all is as known. */
    static List<String> problems(List<String> lines, Map<String, Known> known) {
        Pattern result = Pattern.compile("(PASS|FAIL) ([a-z_0-9]+)(?:: (.*))?");
        Map<String, String> failed = new LinkedHashMap<>();
        List<String> passed = new ArrayList<>();
        String summary = null;
        for (String line : lines) {
            Matcher m = result.matcher(line);
            if (m.matches()) {
                if (m.group(1).equals("PASS")) passed.add(m.group(2));
                else failed.put(m.group(2), m.group(3));
            } else if (line.startsWith("runtime-tools: ") && line.endsWith(" passed")) {
                summary = line;
            }
        }
        List<String> problems = new ArrayList<>();
        failed.forEach((name, reason) -> {
            Known k = known.get(name);
            if (k == null || !k.applies()) {
                problems.add("new failure: " + name + ": " + reason);
            } else if (!reason.contains(k.says())) {
                problems.add(name + " fails for another reason than its known one (" + k.cause() + "): " + reason);
            }
        });
        for (String name : passed) {
            Known k = known.get(name);
            if (k != null && k.applies()) problems.add(name + " passes now: take it off the known failures (" + k.cause() + ")");
        }
        if (passed.size() + failed.size() != PROGRAMS) {
            problems.add("expected one line per program, got " + (passed.size() + failed.size()));
        }
        if (!("runtime-tools: " + passed.size() + " of " + PROGRAMS + " passed").equals(summary)) {
            problems.add("the summary does not add up: " + summary);
        }
        if (passed.size() < FLOOR) problems.add(passed.size() + " passed, fewer than the floor " + FLOOR);
        return problems;
    }

    /** scripts/runtime-tools against the staged crema, bounded; its output, also printed. */
    private static List<String> runSuite() throws IOException, InterruptedException {
        Path out = Files.createTempFile("runtime-tools", ".out");
        Path err = Files.createTempFile("runtime-tools", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder("scripts/runtime-tools").redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("RUNTIME", Crema.BINARY.toAbsolutePath().toString());
            long t0 = System.nanoTime();
            Process p = pb.start();
            // The build (once, ~45 s) and the run (~2.5 min on 2 cores); TERM lets the script clean up.
            if (!p.waitFor(12, TimeUnit.MINUTES)) {
                p.destroy();
                if (!p.waitFor(1, TimeUnit.MINUTES)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("scripts/runtime-tools timed out\n" + Files.readString(out) + Files.readString(err));
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            System.out.print(stdout);
            System.out.print(stderr);
            System.out.printf("runtime-tools: took %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
            assertEquals(0, p.exitValue(), "scripts/runtime-tools could not run the suite:\n" + stderr);
            return stdout.lines().toList();
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Whether /proc/cgroups lists the controller as enabled. */
    private static boolean controllerInKernel(String name) {
        try {
            return Files.readAllLines(Path.of("/proc/cgroups")).stream()
                    .map(l -> l.split("\t")).anyMatch(f -> f.length == 4 && f[0].equals(name) && f[3].equals("1"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether the bounding set lacks a capability the kernel has. */
    private static boolean boundingSetLacksACap() {
        try {
            // (Files.readString gives only the first byte of this procfs file.)
            int last = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).get(0).trim());
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapBnd:")) {
                    long bnd = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    long all = last >= 63 ? -1L : (1L << (last + 1)) - 1;
                    return (bnd & all) != all;
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no CapBnd in /proc/self/status");
    }

    /** Whether a kernel-memory limit written to a v1 memory cgroup (one of the test's own) reads back unlimited. */
    private static boolean kernelMemoryLimitIgnored() {
        Path dir = Path.of("/sys/fs/cgroup/memory/crema-kmem-probe-" + ProcessHandle.current().pid());
        Path limit = dir.resolve("memory.kmem.limit_in_bytes");
        try {
            Files.createDirectory(dir);
            try {
                if (!Files.exists(limit)) return true;
                try {
                    Files.writeString(limit, "50593792");
                } catch (IOException e) {
                    return true;
                }
                return !Files.readAllLines(limit).get(0).trim().equals("50593792");
            } finally {
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new AssertionError("probing kernel memory with " + dir, e);
        }
    }
}

package crema.cli;

import crema.plan.LaunchPlan;
import crema.plan.PlanBuilder;
import crema.plan.PlanEncoder;
import crema.plan.PlanInputs;
import crema.spec.SpecJson;
import crema.spec.SpecParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The AOT cache's training run (scripts/stage-install): walks every command's
 * code path that works without root, in one JVM, so their classes are in the cache.
 */
public final class Training {
    private Training() {}

    /**
     * A state dir whose init is this very JVM (running: state, list, kill 0 and
     * start take their real paths), or a pid reused by it (stopped: delete does).
     */
    private static void pretend(Path root, String id, Path bundle, boolean running) throws IOException {
        crema.state.StateStore store = new crema.state.StateStore(root);
        store.reserve(id);
        int pid = (int) ProcessHandle.current().pid();
        crema.process.ProcStat stat = crema.process.ProcStat.read(pid);
        long start = (stat == null ? 0 : stat.startTime()) + (running ? 0 : 1);
        store.save(new crema.state.ContainerRecord("1.3.0", id, pid, start,
                bundle.toString(), bundle.resolve("rootfs").toString(), "2026-01-01T00:00:00Z", "root",
                java.util.Map.of("a", "b"), List.of(), List.of(), false));
    }

    /**
     * {@code lean}: only what start, kill, state, delete and list do, for the
     * small cache the launcher uses for them (a JVM maps and links every class
     * of its cache at start: a smaller cache starts faster). Otherwise every command.
     */
    public static void main(String[] args) throws IOException {
        boolean lean = args.length > 1 && args[1].equals("lean");
        // Not createTempDirectory, nor Instant below: SecureRandom and java.time would fill the lean cache.
        Path tmp = Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir"),
                "crema-training-" + ProcessHandle.current().pid()));
        try {
            PrintStream sink = System.getenv("CREMA_TRAIN_DEBUG") != null ? System.err : new PrintStream(new ByteArrayOutputStream());
            String root = tmp.resolve("root").toString();
            Path bundle = Files.createDirectories(tmp.resolve("bundle"));
            Path launcher = Globals.libdir().resolve("../../bin/crema").normalize();
            TrainingContainers containers = null;
            try {
                containers = !lean ? TrainingContainers.prepare(sink, tmp, null)
                        : Files.isExecutable(launcher) ? TrainingContainers.prepare(sink, tmp, launcher) : null;
            } catch (IOException | RuntimeException e) {
                System.err.println("crema: AOT training: cannot prepare a bundle: " + e);
            }
            System.err.println("crema: AOT training" + (lean ? " (lean)" : "") + (containers != null
                    ? ", with real containers" : ", without containers (needs root and a static busybox)"));
            for (int round = 0; round < 3; round++) {
                leanCommands(sink, root, bundle, tmp);
                if (!lean) otherCommands(sink, root, bundle, tmp);
                if (containers == null || round == 2) continue;
                try {
                    if (lean) containers.leanCommands(launcher);
                    else containers.everyCommand();
                } catch (IOException | RuntimeException e) {
                    System.err.println("crema: AOT training: the containers failed, the cache will be slower: " + e);
                    containers = null;
                }
            }
        } finally {
            deleteTree(tmp);
        }
    }

    /** Not Files.walk: its streams would go into the lean cache. */
    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (java.nio.file.DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
                for (Path c : children) deleteTree(c);
            }
        }
        Files.deleteIfExists(p);
    }

    /** The success and common failure paths of the lean commands, on "containers" whose init is this JVM. */
    private static void leanCommands(PrintStream sink, String root, Path bundle, Path tmp) throws IOException {
        pretend(Path.of(root), "self", bundle, true);
        pretend(Path.of(root), "gone", bundle, false);
        Main.run(sink, sink, "--root", root, "state", "self");
        Main.run(sink, sink, "--root", root, "kill", "self", "0");
        Main.run(sink, sink, "--root", root, "start", "self");
        Main.run(sink, sink, "--root", root, "list");
        Main.run(sink, sink, "--root", root, "state", "gone");
        Main.run(sink, sink, "--root", root, "kill", "gone", "KILL");
        Main.run(sink, sink, "--root", root, "delete", "gone");
        Main.run(sink, sink, "--root", root, "delete", "self");
        Main.run(sink, sink, "--root", root, "--log", tmp.resolve("log.json").toString(), "--log-format", "json",
                "state", "nothing");
        Main.run(sink, sink, "--root", root, "start", "nothing");
        Main.run(sink, sink, "--root", root, "kill", "nothing", "KILL");
        Main.run(sink, sink, "--root", root, "delete", "--force", "nothing");
        Main.run(sink, sink, "--version");
        crema.process.ConsoleSocket.closeAll(); // what Main.main does before it halts
        new crema.state.StateStore(Path.of(root)).remove("self");
    }

    private static void otherCommands(PrintStream sink, String root, Path bundle, Path tmp) throws IOException {
        pretend(Path.of(root), "self", bundle, true);
        Main.run(sink, sink, "features");
        Files.deleteIfExists(bundle.resolve("config.json"));
        Main.run(sink, sink, "spec", "--bundle", bundle.toString());
        Main.run(sink, sink, "--root", root, "list", "--format", "json");
        Main.run(sink, sink, "--root", root, "pause", "nothing");
        Main.run(sink, sink, "--root", root, "resume", "nothing");
        Main.run(sink, sink, "--root", root, "ps", "--format", "json", "nothing");
        Main.run(sink, sink, "--root", root, "events", "--stats", "nothing");
        Main.run(sink, sink, "--root", root, "update", "--memory", "64m", "--cpu-quota", "1000", "nothing");
        Main.run(sink, sink, "--root", root, "exec", "--user", "1:1", "-e", "A=1", "nothing", "sh");
        Main.run(sink, sink, "--root", root, "create", "--bundle", tmp.resolve("missing").toString(), "x");
        new crema.state.StateStore(Path.of(root)).remove("self");
        var spec = SpecParser.parseConfig(Files.readAllBytes(bundle.resolve("config.json")));
        SpecJson.write(spec);
        LaunchPlan plan = PlanBuilder.build(SpecCommand.defaultSpec(false),
                new PlanInputs(bundle, root, 0, false, true, List.of(new PlanInputs.CgroupDir("memory", tmp)),
                        PlanInputs.HostFacts.probe(), Files::isDirectory, j -> false, null, tmp.resolve("console").toString()));
        PlanEncoder.encode(plan);
        var exec = crema.plan.ExecPlanner.fromFlags(spec.process(), new crema.plan.ExecPlanner.Flags(
                List.of("sh"), false, "/", List.of("A=1"), "1:1", List.of(), List.of("CAP_KILL"), false, null, null));
        PlanEncoder.encodeExec(crema.plan.ExecPlanner.build(spec, exec, "process", new crema.plan.ExecPlanner.Inputs(
                "/proc/1/root", List.of(), null, true, 0, PlanInputs.HostFacts.probe(), null), w -> {}));
        crema.spec.SpecParser.parseProcess("{\"args\": [\"sh\"], \"cwd\": \"/\"}".getBytes(), "p.json");
    }
}

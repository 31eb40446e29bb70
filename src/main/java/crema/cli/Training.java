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
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The AOT cache's training run (scripts/stage-install): walks every command's
 * code path that works without root, in one JVM, so their classes are in the cache.
 */
public final class Training {
    private Training() {}

    public static void main(String[] args) throws IOException {
        Path tmp = Files.createTempDirectory("crema-training");
        try {
            PrintStream sink = new PrintStream(new ByteArrayOutputStream());
            String root = tmp.resolve("root").toString();
            Path bundle = Files.createDirectories(tmp.resolve("bundle"));
            for (int round = 0; round < 3; round++) {
                Main.run(sink, sink, "--version");
                Main.run(sink, sink, "features");
                Files.deleteIfExists(bundle.resolve("config.json"));
                Main.run(sink, sink, "spec", "--bundle", bundle.toString());
                Main.run(sink, sink, "--root", root, "--log", tmp.resolve("log.json").toString(), "--log-format", "json",
                        "state", "nothing");
                Main.run(sink, sink, "--root", root, "list");
                Main.run(sink, sink, "--root", root, "list", "--format", "json");
                Main.run(sink, sink, "--root", root, "start", "nothing");
                Main.run(sink, sink, "--root", root, "kill", "nothing", "KILL");
                Main.run(sink, sink, "--root", root, "delete", "nothing");
                Main.run(sink, sink, "--root", root, "exec", "--user", "1:1", "-e", "A=1", "nothing", "sh");
                Main.run(sink, sink, "--root", root, "create", "--bundle", tmp.resolve("missing").toString(), "x");
                var spec = SpecParser.parseConfig(Files.readAllBytes(bundle.resolve("config.json")));
                SpecJson.write(spec);
                LaunchPlan plan = PlanBuilder.build(SpecCommand.defaultSpec(false),
                        new PlanInputs(bundle, root, 0, false, true, List.of(new PlanInputs.CgroupDir("memory", tmp)),
                                PlanInputs.HostFacts.probe(), Files::isDirectory, null, tmp.resolve("console").toString()));
                PlanEncoder.encode(plan);
                var exec = crema.plan.ExecPlanner.fromFlags(spec.process(), new crema.plan.ExecPlanner.Flags(
                        List.of("sh"), false, "/", List.of("A=1"), "1:1", List.of(), List.of("CAP_KILL"), false, null, null));
                PlanEncoder.encodeExec(crema.plan.ExecPlanner.build(spec, exec, "process", new crema.plan.ExecPlanner.Inputs(
                        "/proc/1/root", List.of(), null, true, 0, PlanInputs.HostFacts.probe(), null), w -> {}));
                crema.spec.SpecParser.parseProcess("{\"args\": [\"sh\"], \"cwd\": \"/\"}".getBytes(), "p.json");
            }
        } finally {
            try (Stream<Path> walk = Files.walk(tmp)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}

package crema.fuzz;

import crema.plan.InvalidSpecException;
import crema.plan.LaunchPlan;
import crema.plan.PlanBuilder;
import crema.plan.PlanEncoder;
import crema.plan.PlanInputs;
import crema.spec.Spec;
import crema.spec.SpecException;
import crema.spec.SpecParser;
import java.nio.file.Path;
import java.util.List;

/**
 * What every fuzz input must come to: a plan, or a clean validation error
 * that names a JSON path. Any other exception, or a hang, is a bug.
 */
final class FuzzTarget {
    private static final PlanInputs INPUTS = new PlanInputs(Path.of("/bundle"), "/run/crema/fuzz", 0, false, true,
            List.of(new PlanInputs.CgroupDir("memory", Path.of("/sys/fs/cgroup/memory/fuzz"))),
            new PlanInputs.HostFacts(false, false, false, false, true, new crema.sys.Identity(0, 0)), p -> true, j -> false, null, null);

    private FuzzTarget() {}

    static void config(byte[] json) {
        Spec spec;
        try {
            spec = SpecParser.parseConfig(json);
        } catch (SpecException e) {
            requirePath(e.getMessage());
            return;
        }
        try {
            LaunchPlan plan = PlanBuilder.build(spec, INPUTS);
            byte[] bytes = PlanEncoder.encode(plan);
            if (bytes.length < 12) throw new AssertionError("an empty plan");
        } catch (InvalidSpecException e) {
            requirePath(e.getMessage());
        }
    }

    /** A clean error starts with the field it is about: "process.args: ...". */
    private static void requirePath(String message) {
        if (message == null || !message.contains(": ")) throw new AssertionError("an error without a path: " + message);
    }
}

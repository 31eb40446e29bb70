package crema.lifecycle;

import crema.plan.InvalidSpecException;
import crema.plan.LaunchPlan;
import crema.plan.RlimitNames;
import crema.sys.Identity;
import crema.sys.SmallFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A rootless container gets no more than its user has: a hard rlimit above
 * crema's own needs CAP_SYS_RESOURCE on the host, and an oom_score_adj below
 * crema's own needs CAP_SYS_RESOURCE too. Both are refused here, by field,
 * before anything is made, rather than failing in crema-init or half-way.
 */
final class RootlessLimits {
    private RootlessLimits() {}

    static void check(LaunchPlan plan, Identity caller) {
        List<Long> hard = ownHardLimits();
        for (LaunchPlan.RlimitStep r : plan.process().rlimits()) {
            long own = r.resource() < hard.size() ? hard.get(r.resource()) : -1;
            if (Long.compareUnsigned(r.hard(), own) > 0) {
                throw new InvalidSpecException("process.rlimits", RlimitNames.ALL.get(r.resource()) + ": hard limit "
                        + Long.toUnsignedString(r.hard()) + " is above the caller's " + Long.toUnsignedString(own)
                        + ", which uid " + caller.uid() + " cannot raise");
            }
        }
        if (plan.oomScoreAdj() != null) {
            int own = ownOomScoreAdj();
            if (plan.oomScoreAdj() < own) {
                throw new InvalidSpecException("process.oomScoreAdj", plan.oomScoreAdj() + " is below the caller's " + own
                        + ", which uid " + caller.uid() + " cannot lower");
            }
        }
    }

    /** Hard limits from /proc/self/limits, one per resource in kernel order; "unlimited" is -1 (RLIM_INFINITY). */
    static List<Long> ownHardLimits() {
        try {
            return parseHardLimits(SmallFile.readString(Path.of("/proc/self/limits")));
        } catch (IOException e) {
            throw new UncheckedIOException("read /proc/self/limits", e);
        }
    }

    static List<Long> parseHardLimits(String limits) {
        List<Long> out = new java.util.ArrayList<>();
        String[] lines = limits.split("\n");
        // "Limit  Soft Limit  Hard Limit  Units": the columns start where the header's do
        int hardAt = lines[0].indexOf("Hard Limit");
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].length() <= hardAt) continue;
            String value = lines[i].substring(hardAt).trim().split("\\s+")[0];
            out.add(value.equals("unlimited") ? -1 : Long.parseUnsignedLong(value));
        }
        return out;
    }

    static int ownOomScoreAdj() {
        try {
            return Integer.parseInt(SmallFile.readString(Path.of("/proc/self/oom_score_adj")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("read /proc/self/oom_score_adj", e);
        }
    }
}

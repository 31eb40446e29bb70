package crema.spec;

import java.util.List;

/** {@code process.scheduler} (sched_setattr(2)); runtime, deadline and period are uint64 bit patterns. */
public record Scheduler(
        String policy,
        Integer nice,
        Integer priority,
        List<String> flags,
        Long runtime,
        Long deadline,
        Long period) {
}

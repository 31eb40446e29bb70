package crema.spec;

/**
 * {@code linux.resources.cpu}. shares, burst, period and realtimePeriod are uint64 bit patterns;
 * quota, realtimeRuntime and idle are int64.
 */
public record Cpu(
        Long shares,
        Long quota,
        Long burst,
        Long period,
        Long realtimeRuntime,
        Long realtimePeriod,
        String cpus,
        String mems,
        Long idle) {
}

package crema.spec;

/**
 * {@code process.rlimits[i]}. hard and soft are uint64 held as unsigned bit patterns:
 * RLIM_INFINITY (18446744073709551615) is {@code -1L}.
 */
public record Rlimit(String type, long hard, long soft) {
}

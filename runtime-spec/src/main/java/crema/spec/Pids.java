package crema.spec;

/** {@code linux.resources.pids}; limit is int64 (0 or negative means no limit). */
public record Pids(Long limit) {
}

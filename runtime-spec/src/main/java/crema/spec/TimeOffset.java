package crema.spec;

/** {@code linux.timeOffsets.<clock>} ("boottime", "monotonic"): secs is int64, nanosecs uint32. */
public record TimeOffset(long secs, long nanosecs) {
}

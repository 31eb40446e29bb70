package crema.spec;

/** {@code linux.resources.hugepageLimits[i]}: pageSize like "2MB", limit a uint64 bit pattern in bytes. */
public record HugepageLimit(String pageSize, long limit) {
}

package crema.spec;

import java.util.List;

/** {@code process.user}; uid, gid, umask and additionalGids are uint32 (range-checked at parse time). */
public record User(long uid, long gid, Long umask, List<Long> additionalGids, String username) {
}

package crema.spec;

/**
 * {@code linux.resources.memory}. The byte limits are int64 (-1 means unlimited);
 * swappiness is a uint64 bit pattern.
 */
public record Memory(
        Long limit,
        Long reservation,
        Long swap,
        Long kernel,
        Long kernelTCP,
        Long swappiness,
        Boolean disableOOMKiller,
        Boolean useHierarchy,
        Boolean checkBeforeUpdate) {
}

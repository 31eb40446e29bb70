package crema.spec;

/** {@code linux.seccomp.syscalls[i].args[j]}: index is uint32, value and valueTwo uint64 bit patterns. */
public record SeccompArg(long index, long value, long valueTwo, String op) {
}

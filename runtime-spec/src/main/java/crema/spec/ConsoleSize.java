package crema.spec;

/** {@code process.consoleSize}; both are uint in the spec, held as unsigned bit patterns. */
public record ConsoleSize(long height, long width) {
}

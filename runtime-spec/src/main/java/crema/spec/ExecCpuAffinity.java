package crema.spec;

/**
 * {@code process.execCPUAffinity}: CPU lists (e.g. "0-3,7") for {@code exec}'d processes;
 * {@code finalAffinity} is the JSON field "final".
 */
public record ExecCpuAffinity(String initial, String finalAffinity) {
}

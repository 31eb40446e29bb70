package crema.spec;

/** {@code linux.resources.devices[i]}: a device allow/deny rule; null major/minor means any (wildcard). */
public record DeviceCgroup(boolean allow, String type, Long major, Long minor, String access) {
}

package crema.spec;

/** {@code root}: the container's root filesystem. */
public record Root(String path, boolean readonly) {
}

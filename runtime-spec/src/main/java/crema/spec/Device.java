package crema.spec;

/**
 * {@code linux.devices[i]}: a device node to create. major and minor are int64;
 * fileMode, uid and gid are uint32 and null when absent.
 */
public record Device(String type, String path, long major, long minor, Long fileMode, Long uid, Long gid) {
}

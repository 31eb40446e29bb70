package crema.spec;

/** A uid/gid mapping range; all three are uint32. */
public record IdMapping(long containerID, long hostID, long size) {
}

package crema.spec;

/** {@code linux.resources.rdma.<device>}; both limits are uint32, null meaning no limit. */
public record Rdma(Long hcaHandles, Long hcaObjects) {
}

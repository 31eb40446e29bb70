package crema.spec;

import java.util.List;
import java.util.Map;

/**
 * The features document ({@code crema features}) of runtime-spec v1.3.0 features.md and
 * features-linux.md. Every field but the two versions may be null, meaning "unknown".
 */
public record Features(
        String ociVersionMin,
        String ociVersionMax,
        List<String> hooks,
        List<String> mountOptions,
        Linux linux,
        Map<String, String> annotations,
        List<String> potentiallyUnsafeConfigAnnotations) {

    /** {@code linux}: the Linux features. */
    public record Linux(
            List<String> namespaces,
            List<String> capabilities,
            Cgroup cgroup,
            Seccomp seccomp,
            Apparmor apparmor,
            Selinux selinux,
            IntelRdt intelRdt,
            MemoryPolicy memoryPolicy,
            MountExtensions mountExtensions,
            NetDevices netDevices) {
    }

    /** {@code linux.cgroup}: which cgroup managers are implemented. */
    public record Cgroup(Boolean v1, Boolean v2, Boolean systemd, Boolean systemdUser, Boolean rdma) {
    }

    /** {@code linux.seccomp}. */
    public record Seccomp(
            Boolean enabled,
            List<String> actions,
            List<String> operators,
            List<String> archs,
            List<String> knownFlags,
            List<String> supportedFlags) {
    }

    /** {@code linux.apparmor}. */
    public record Apparmor(Boolean enabled) {
    }

    /** {@code linux.selinux}. */
    public record Selinux(Boolean enabled) {
    }

    /** {@code linux.intelRdt}: schemata and monitoring say whether those config fields are implemented. */
    public record IntelRdt(Boolean enabled, Boolean schemata, Boolean monitoring) {
    }

    /** {@code linux.memoryPolicy}: the recognised modes and mode flags. */
    public record MemoryPolicy(List<String> modes, List<String> flags) {
    }

    /** {@code linux.mountExtensions}. */
    public record MountExtensions(IdMap idmap) {
    }

    /** {@code linux.mountExtensions.idmap}: idmapped mounts. */
    public record IdMap(Boolean enabled) {
    }

    /** {@code linux.netDevices}. */
    public record NetDevices(Boolean enabled) {
    }
}

package crema.plan;

import java.util.List;

/**
 * Everything crema-init needs, fully resolved: no defaults or policy are left
 * to the helper. Built by {@link PlanBuilder}, written by {@link PlanEncoder}
 * in the format of native-helpers/PLAN.md.
 */
public record LaunchPlan(
        long cloneFlags,
        List<NamespaceJoin> joins,
        String hostname,
        String domainname,
        String rootfs,
        boolean rootfsReadonly,
        boolean noPivot,
        long rootPropagation,
        long rootfsPropagationAfter,
        List<MountStep> mounts,
        List<DeviceNode> devices,
        List<Symlink> symlinks,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        List<String> args,
        List<String> env,
        String cwd,
        long uid,
        long gid,
        Long umask,
        List<Long> additionalGids,
        List<RlimitStep> rlimits,
        CapabilitySets capabilities,
        boolean noNewPrivileges,
        boolean newKeyring,
        Integer oomScoreAdj,
        String fifoDir,
        int preserveFds) {

    /** setns(open(path), nsType) before the clone. */
    public record NamespaceJoin(long nsType, String path) {}

    public enum MountKind { FILESYSTEM, BIND }

    /** One mount, as mount(2) and mount_setattr(2) take it. */
    public record MountStep(MountKind kind, boolean destinationIsFile, long flags, long propagation,
                            long attrSet, long attrClear, String source, String destination,
                            String fstype, String data) {}

    /** A node to create under /dev; bindFromHost when mknod is not allowed (user namespaces). */
    public record DeviceNode(int type, long major, long minor, int permissions, long uid, long gid,
                             boolean bindFromHost, String path) {}

    public record Symlink(String target, String linkPath) {}

    public record RlimitStep(int resource, long soft, long hard) {}

    /** Capability bit masks (bit n = capability n). */
    public record CapabilitySets(long bounding, long effective, long inheritable, long permitted, long ambient) {}
}

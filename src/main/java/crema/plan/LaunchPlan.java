package crema.plan;

import java.util.List;

/**
 * Everything crema-init needs to build a container, fully resolved: no
 * defaults or policy are left to the helper. Built by {@link PlanBuilder},
 * written by {@link PlanEncoder} in the format of native-helpers/PLAN.md.
 * The process part is the same in an {@link ExecPlan}.
 */
public record LaunchPlan(
        long cloneFlags,
        List<NamespaceJoin> joins,
        List<IdMap> uidMappings,
        List<IdMap> gidMappings,
        List<TimeOffset> timeOffsets,
        List<String> sysctlKeys,
        List<String> sysctlValues,
        List<HookStep> hooks,
        java.util.Map<String, String> netDevices,
        String hostname,
        String domainname,
        String rootfs,
        boolean rootfsReadonly,
        boolean noPivot,
        boolean unprivilegedParent, // crema runs as a user (rootless): it has no privilege over the init
        long rootPropagation,
        long rootfsPropagationAfter,
        List<MountStep> mounts,
        List<DeviceNode> devices,
        List<Symlink> symlinks,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        ProcessPlan process,
        Integer oomScoreAdj,
        String fifoDir) {

    /** A createContainer (1) or startContainer (2) hook, run by crema-init; timeout 0 = none. */
    public record HookStep(int kind, int timeoutSeconds, String path, List<String> args, List<String> env) {
        public static final int CREATE_CONTAINER = 1, START_CONTAINER = 2;
    }

    /** The compiled filter; early = load before the credentials change (needed without no_new_privs). */
    public record Seccomp(byte[] bpf, int flags, boolean early, String listenerPath, String listenerMetadata) {}

    /** One line of uid_map/gid_map: Java writes them while the init waits for PID_ACK. */
    public record IdMap(long containerId, long hostId, long size) {
        /** The lines uid_map and gid_map take. */
        public static String text(List<IdMap> map) {
            StringBuilder b = new StringBuilder();
            for (IdMap m : map) b.append(m.containerId()).append(' ').append(m.hostId()).append(' ').append(m.size()).append('\n');
            return b.toString();
        }
    }

    /** A clock's offset in a new time namespace ("monotonic" or "boottime"). */
    public record TimeOffset(String clock, long secs, long nanosecs) {}

    /** setns(open(path), nsType) before the clone. */
    public record NamespaceJoin(long nsType, String path) {}

    public enum MountKind { FILESYSTEM, BIND }

    /** One mount, as mount(2) and mount_setattr(2) take it. */
    public record MountStep(MountKind kind, boolean destinationIsFile, long flags, long propagation,
                            long attrSet, long attrClear, String source, String destination,
                            String fstype, String data, Extras extras) {
        public MountStep(MountKind kind, boolean destinationIsFile, long flags, long propagation, long attrSet,
                         long attrClear, String source, String destination, String fstype, String data) {
            this(kind, destinationIsFile, flags, propagation, attrSet, attrClear, source, destination, fstype, data, Extras.NONE);
        }

        /** A tmpfs without mode= takes the mode of the directory it covers when that existed, as with runc. */
        public boolean keepsCoveredDirMode() {
            if (kind != MountKind.FILESYSTEM || !"tmpfs".equals(fstype)) return false;
            for (String option : data.split(",")) if (option.startsWith("mode=")) return false;
            return true;
        }

        /** proc and sysfs only on a directory reached without symlinks, as runc requires. */
        public boolean needsOrdinaryDirectory() {
            return kind == MountKind.FILESYSTEM && ("proc".equals(fstype) || "sysfs".equals(fstype));
        }
    }

    /**
     * tmpcopyup, and an idmapped bind: uidMap/gidMap are uid_map/gid_map text,
     * empty to use the container's own user namespace.
     */
    public record Extras(boolean tmpcopyup, boolean idmap, boolean recursiveIdmap, String uidMap, String gidMap) {
        public static final Extras NONE = new Extras(false, false, false, "", "");
    }

    /** A node to create under /dev; bindFromHost when mknod is not allowed (user namespaces). */
    public record DeviceNode(int type, long major, long minor, int permissions, long uid, long gid,
                             boolean bindFromHost, String path) {}

    public record Symlink(String target, String linkPath) {}

    public record RlimitStep(int resource, long soft, long hard) {}

    /** Capability bit masks (bit n = capability n). */
    public record CapabilitySets(long bounding, long effective, long inheritable, long permitted, long ambient) {}
}

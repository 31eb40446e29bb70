package crema.plan;

import crema.plan.LaunchPlan.IdMap;
import java.util.List;

/**
 * What a caller without root may ask of the kernel, as runc's rootless mode
 * has it. Without CAP_SETUID/CAP_SETGID on the host a process may write only
 * one uid_map line, its own uid, and one gid_map line, its own gid, and the
 * latter only after denying setgroups in that namespace (so a user cannot
 * shed a group that denies it access); anything wider needs newuidmap and
 * newgidmap, set-id helpers that check /etc/subuid and /etc/subgid.
 */
public final class Rootless {
    private Rootless() {}

    /** The map is the single line "0..N hostId 1" for this host id: writable by its owner directly. */
    public static boolean mapsOnly(List<IdMap> map, long hostId) {
        return map.size() == 1 && map.get(0).hostId() == hostId && map.get(0).size() == 1;
    }

    /** A new user namespace whose gid_map crema, without CAP_SETGID, writes itself: setgroups must be denied first. */
    public static boolean setgroupsDenied(boolean unprivilegedIds, long gid, List<IdMap> gidMap) {
        return unprivilegedIds && !gidMap.isEmpty() && mapsOnly(gidMap, gid);
    }
}

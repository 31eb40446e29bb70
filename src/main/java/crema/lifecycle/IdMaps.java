package crema.lifecycle;

import crema.plan.LaunchPlan;
import crema.plan.LaunchPlan.IdMap;
import crema.plan.Rootless;
import crema.state.ContainerException;
import crema.sys.Identity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes the init's uid_map and gid_map while it waits. Root (or root of the
 * user namespace crema runs in) writes any mapping itself. A user without
 * privileges writes a map of its own id alone itself, a gid map only after
 * denying setgroups; any wider map goes through newuidmap/newgidmap (Debian's
 * uidmap), set-id helpers that allow the ranges /etc/subuid and /etc/subgid
 * grant the user, and leave setgroups allowed.
 */
final class IdMaps {
    private IdMaps() {}

    static void write(int pid, LaunchPlan plan, Identity caller) {
        write(pid, "uid_map", "newuidmap", "linux.uidMappings", "/etc/subuid", plan.uidMappings(), caller.uid(), caller);
        if (Rootless.setgroupsDenied(caller.unprivilegedIds(), caller.gid(), plan.gidMappings())) {
            Create.writeProc(pid, "setgroups", "deny"); // user_namespaces(7): before an unprivileged gid_map
        }
        write(pid, "gid_map", "newgidmap", "linux.gidMappings", "/etc/subgid", plan.gidMappings(), caller.gid(), caller);
    }

    private static void write(int pid, String file, String helper, String field, String grants, List<IdMap> map, long ownId,
                              Identity caller) {
        if (map.isEmpty()) return;
        if (!caller.unprivilegedIds() || Rootless.mapsOnly(map, ownId)) {
            Create.writeProc(pid, file, IdMap.text(map));
            return;
        }
        List<String> cmd = new ArrayList<>(List.of(helper, Integer.toString(pid)));
        for (IdMap m : map) {
            cmd.add(Long.toString(m.containerId()));
            cmd.add(Long.toString(m.hostId()));
            cmd.add(Long.toString(m.size()));
        }
        String why = "maps more than uid " + caller.uid() + "'s own id, which needs " + helper + " and ranges in " + grants;
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new ContainerException(field + ": " + why + ": cannot run " + helper + " (Debian package uidmap): " + e.getMessage(), e);
        }
        try {
            // the output is a line or two: it fits the pipe, so waiting first cannot block the helper
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ContainerException(field + ": " + helper + " did not finish within 10 s");
            }
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.exitValue() != 0) throw new ContainerException(field + ": " + why + "; " + helper + " refused it: " + out);
        } catch (IOException e) {
            throw new ContainerException(field + ": read " + helper + "'s output: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException(field + ": interrupted while " + helper + " ran");
        }
    }
}

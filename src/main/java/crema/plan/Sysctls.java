package crema.plan;

import static crema.plan.Linux.CLONE_NEWIPC;
import static crema.plan.Linux.CLONE_NEWNET;
import static crema.plan.Linux.CLONE_NEWUTS;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * linux.sysctl, checked as runc checks it: a key may only be set when the
 * container owns the namespace it belongs to (ipc, net, uts); anything else
 * would change the host.
 */
final class Sysctls {
    private static final Set<String> IPC = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
            "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");
    private static final Set<String> UTS = Set.of("kernel.hostname", "kernel.domainname");

    private Sysctls() {}

    static void check(Map<String, String> sysctl, long namespaces, List<String> keys, List<String> values) {
        if (sysctl == null) return;
        for (var e : new java.util.TreeMap<>(sysctl).entrySet()) {
            String key = e.getKey();
            String field = "linux.sysctl[\"" + key + "\"]";
            if (key.isEmpty() || key.contains("/") || key.contains("..") || key.startsWith(".") || key.endsWith(".")) {
                throw new InvalidSpecException(field, "not a sysctl name");
            }
            long needs;
            if (IPC.contains(key) || key.startsWith("fs.mqueue.")) needs = CLONE_NEWIPC;
            else if (key.startsWith("net.")) needs = CLONE_NEWNET;
            else if (UTS.contains(key)) needs = CLONE_NEWUTS;
            else throw new InvalidSpecException(field, "is not in a separate kernel namespace");
            if ((namespaces & needs) == 0) {
                String ns = needs == CLONE_NEWIPC ? "ipc" : needs == CLONE_NEWNET ? "network" : "uts";
                throw new InvalidSpecException(field, "needs the container's own " + ns + " namespace");
            }
            keys.add(key);
            values.add(e.getValue());
        }
    }
}

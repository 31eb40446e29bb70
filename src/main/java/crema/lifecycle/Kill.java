package crema.lifecycle;

import crema.process.ProcStat;
import crema.state.ContainerException;
import crema.state.ContainerRecord;
import crema.state.Lock;
import crema.state.StateStore;
import crema.sys.Sys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** `kill`: signal the init, or with --all every process in the container's cgroup. */
public final class Kill {
    private final StateStore store;

    public Kill(StateStore store) {
        this.store = store;
    }

    public void kill(String id, int signal, boolean all) {
        try (Lock lock = store.lock(id, false)) {
            ContainerRecord r = store.load(id);
            if (Status.of(store, r) == Status.STOPPED) {
                if (all && !killablePids(r).isEmpty()) {
                    signalAll(r, signal);
                    return;
                }
                throw new ContainerException("container not running");
            }
            if (all) {
                signalAll(r, signal);
            } else if (!Sys.kill(r.pid(), signal)) {
                throw new ContainerException("container not running");
            }
        }
    }

    static void signalAll(ContainerRecord r, int signal) {
        for (int pid : killablePids(r)) Sys.kill(pid, signal);
    }

    /** Every pid in the container's cgroup (read from its first hierarchy that lists any): what `ps` shows. */
    static List<Integer> cgroupPids(ContainerRecord r) {
        if (r.cgroupDirs().isEmpty() && r.pid() > 0 && ProcStat.isOurs(r.pid(), r.initStartTime())) {
            return pidsInNamespaceOf(r.pid());
        }
        return pidsIn(r.cgroupDirs());
    }

    /**
     * A container without a cgroup (rootless, nothing delegated): its processes are
     * those in its init's pid namespace, when it has one of its own, else the init alone.
     */
    static List<Integer> pidsInNamespaceOf(int init) {
        Path initNs = Path.of("/proc", Integer.toString(init), "ns", "pid");
        List<Integer> pids = new ArrayList<>();
        try {
            String ns = Files.readSymbolicLink(initNs).toString();
            if (ns.equals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString())) return List.of(init);
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.toList()) {
                    String name = p.getFileName().toString();
                    if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                    try {
                        if (Files.readSymbolicLink(p.resolve("ns/pid")).toString().equals(ns)) {
                            pids.add(Integer.parseInt(name));
                        }
                    } catch (IOException e) {
                        // gone, or another user's: not in the container
                    }
                }
            }
        } catch (IOException e) {
            return List.of(init);
        }
        pids.sort(null);
        return pids;
    }

    /**
     * The pids `kill --all` and `delete` may signal: those in a cgroup crema
     * created for this container. A cgroup that existed before (create found it
     * empty) may have got other processes since: there only the init is surely
     * the container's, and with it goes its pid namespace, if it has one.
     */
    static List<Integer> killablePids(ContainerRecord r) {
        List<String> own = new ArrayList<>(r.cgroupDirs());
        own.retainAll(r.createdCgroupDirs());
        if (!own.isEmpty()) return pidsIn(own);
        return r.pid() > 0 && ProcStat.isOurs(r.pid(), r.initStartTime()) ? List.of(r.pid()) : List.of();
    }

    /** The pids of the first of dirs that lists any. */
    private static List<Integer> pidsIn(List<String> dirs) {
        List<Integer> pids = new ArrayList<>();
        for (String dir : dirs) {
            Path procs = Path.of(dir, "cgroup.procs");
            try {
                for (String line : crema.sys.SmallFile.readLines(procs)) {
                    if (!line.isBlank()) pids.add(Integer.parseInt(line.trim()));
                }
            } catch (IOException | NumberFormatException e) {
                continue;
            }
            if (!pids.isEmpty()) break;
        }
        return pids;
    }
}

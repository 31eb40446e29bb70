package crema.lifecycle;

import crema.cgroups.CgroupManager;
import crema.process.ProcStat;
import crema.state.ContainerException;
import crema.state.ContainerRecord;
import crema.state.Lock;
import crema.state.StateStore;
import crema.sys.Sys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** `delete`: remove a stopped (or created, or with --force any) container: processes, cgroup, state. */
public final class Delete {
    private static final long KILL_WAIT_NANOS = 10_000_000_000L;
    private final StateStore store;
    private final CgroupManager cgroups;

    private final java.util.function.Consumer<String> warnings;

    /** warnings receives what a failed poststop hook said: the spec makes that a warning. */
    public Delete(StateStore store, CgroupManager cgroups, java.util.function.Consumer<String> warnings) {
        this.store = store;
        this.cgroups = cgroups;
        this.warnings = warnings;
    }

    public void delete(String id, boolean force) {
        try {
            deleteSteps(id, force);
        } catch (RuntimeException e) {
            Debug.failed("delete");
            throw e;
        }
    }

    private void deleteSteps(String id, boolean force) {
        Debug.step("delete " + id + (force ? " (force)" : "") + ": loading its state");
        StateStore.checkId(id);
        // already gone: runc says nothing either (but a dir we may not enter is not gone)
        if (force && Files.notExists(store.dir(id))) return;
        try (Lock lock = store.lock(id, true)) {
            if (!Files.exists(store.dir(id).resolve(StateStore.STATE_FILE))) {
                // A create that died before saving state: nothing else of it is known.
                if (!force) throw ContainerException.doesNotExist(id);
                store.remove(id);
                return;
            }
            ContainerRecord r = store.load(id);
            Status status = Status.of(store, r);
            if ((status == Status.RUNNING || status == Status.PAUSED) && !force) {
                throw new ContainerException("cannot delete container " + id + " that is not stopped: " + status.text());
            }
            if (status != Status.STOPPED || !Kill.killablePids(r).isEmpty()) {
                Debug.step("status " + status.text() + ": killing init pid " + r.pid() + " and the cgroup's processes");
                killAndWait(r);
            }
            CrashPoint.at("delete:killed");
            List<Path> created = new ArrayList<>();
            for (String dir : r.createdCgroupDirs()) created.add(Path.of(dir));
            Debug.step("removing the cgroups " + created);
            CgroupManager.forRecord(cgroups, r.systemdCgroup()).destroy(created);
            CrashPoint.at("delete:cgroups");
            var hooks = crema.hooks.LaterHooks.load(store.dir(id));
            Debug.step("removing " + store.dir(id));
            store.remove(id);
            Debug.step("deleted; running " + hooks.poststop().size() + " poststop hook(s)");
            if (!hooks.poststop().isEmpty()) {
                crema.hooks.HookRunner.runWarning(hooks.poststop(), "poststop", Start.stateJson(r, "stopped"), warnings);
            }
        }
    }

    /** SIGKILL the init and everything in the cgroup crema made for it (thawed first), then wait a bounded time for them to go. */
    private void killAndWait(ContainerRecord r) {
        thaw(r);
        if (ProcStat.isOurs(r.pid(), r.initStartTime())) Sys.kill(r.pid(), 9);
        long deadline = System.nanoTime() + KILL_WAIT_NANOS;
        while (true) {
            List<Integer> left = Kill.killablePids(r);
            boolean initGone = !ProcStat.isOurs(r.pid(), r.initStartTime());
            if (initGone && noneAlive(left)) return;
            for (int pid : left) Sys.kill(pid, 9);
            if (System.nanoTime() > deadline) {
                throw new ContainerException("processes of container " + r.id() + " did not exit after SIGKILL: " + left);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerException("interrupted while deleting " + r.id());
            }
        }
    }

    private static boolean noneAlive(List<Integer> pids) {
        for (int pid : pids) if (ProcStat.isAlive(pid)) return false;
        return true;
    }

    /** v1's freezer.state or v2's cgroup.freeze: a frozen v1 process does not even die of SIGKILL. */
    private static void thaw(ContainerRecord r) {
        for (String dir : r.cgroupDirs()) {
            write(Path.of(dir, "freezer.state"), "THAWED");
            write(Path.of(dir, "cgroup.freeze"), "0");
        }
    }

    private static void write(Path file, String value) {
        if (!Files.exists(file)) return;
        try {
            Files.writeString(file, value);
        } catch (java.io.IOException e) {
            // not frozen by us, or gone
        }
    }
}

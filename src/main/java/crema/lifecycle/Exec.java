package crema.lifecycle;

import crema.cgroups.CgroupManager;
import crema.plan.ExecPlan;
import crema.plan.ExecPlanner;
import crema.plan.LaunchPlan.NamespaceJoin;
import crema.plan.Linux;
import crema.plan.PlanEncoder;
import crema.plan.PlanInputs;
import crema.process.ConsoleSocket;
import crema.process.HelperLauncher;
import crema.process.ProcStat;
import crema.process.SyncChannel;
import crema.spec.Process;
import crema.spec.SpecException;
import crema.spec.SpecParser;
import crema.state.ContainerException;
import crema.state.ContainerRecord;
import crema.state.Lock;
import crema.state.StateStore;
import crema.sys.Sys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * `exec`: start one more process in a created or running container. It joins
 * every namespace of the container's init and its cgroup, and gets the
 * container's seccomp filter; crema-init runs the plan in exec mode (no
 * rootfs, no exec.fifo). Returns once the process is about to execve.
 */
public final class Exec {
    /** The namespaces to join, in order: the user namespace first, so that it owns the others' joins. */
    private static final Map<String, Long> NAMESPACES = new LinkedHashMap<>();

    static {
        NAMESPACES.put("user", Linux.CLONE_NEWUSER);
        NAMESPACES.put("ipc", Linux.CLONE_NEWIPC);
        NAMESPACES.put("uts", Linux.CLONE_NEWUTS);
        NAMESPACES.put("net", Linux.CLONE_NEWNET);
        NAMESPACES.put("pid", Linux.CLONE_NEWPID);
        NAMESPACES.put("cgroup", Linux.CLONE_NEWCGROUP);
        NAMESPACES.put("mnt", Linux.CLONE_NEWNS);
        NAMESPACES.put("time", Linux.CLONE_NEWTIME);
    }

    /**
     * What `exec` was asked: the process from a file (processFile) or from flags.
     *
     * @param inheritedFds the fds >= 3 the caller really passed, null if unknown
     */
    public record Options(String id, Path processFile, ExecPlanner.Flags flags, Path pidFile, int preserveFds,
                          Set<Integer> inheritedFds, String consoleSocket, boolean detach) {}

    /** The started process: its host pid, and the pty master crema holds when it proxies the terminal (else -1). */
    public record Started(int pid, int consoleMaster) {}

    private final StateStore store;
    private final Path helper;
    private final Consumer<String> warnings;

    public Exec(StateStore store, Path helper, Consumer<String> warnings) {
        this.store = store;
        this.helper = helper;
        this.warnings = warnings;
    }

    /** Starts the process. It is our child (we are a subreaper) until we exit. */
    public Started start(Options o) {
        try {
            return startSteps(o);
        } catch (RuntimeException e) {
            Debug.failed("exec");
            throw e;
        }
    }

    private Started startSteps(Options o) {
        Debug.step("exec in " + o.id() + ": loading its state");
        Create.checkPreservedFds(o.preserveFds(), o.inheritedFds());
        try (Lock lock = store.lock(o.id(), false)) {
            ContainerRecord r = store.load(o.id());
            switch (Status.of(store, r)) {
                case STOPPED -> throw new ContainerException("cannot exec in a stopped container");
                case PAUSED -> throw new ContainerException("cannot exec in a paused container");
                default -> {}
            }
            Debug.step("reading the container's saved config" + (o.processFile() != null ? " and " + o.processFile() : ""));
            ExecBase.Loaded base = ExecBase.load(store.dir(o.id()));
            Process process = o.processFile() != null ? readProcess(o.processFile())
                    : ExecPlanner.fromFlags(base.spec().process(), o.flags());
            String field = o.processFile() != null ? "" : "process";
            ConsoleSocket own = ConsoleSocket.needed(process.terminal(), o.consoleSocket(), o.detach())
                    ? ConsoleSocket.listen() : null;
            try {
                Debug.step("building the exec plan (joining the namespaces of init pid " + r.pid() + ")");
                ExecPlan plan = ExecPlanner.build(base.spec(), process, field,
                        new ExecPlanner.Inputs("/proc/" + r.pid() + "/root", joins(r.pid()), base.seccomp(),
                                base.newKeyring(), o.preserveFds(), PlanInputs.HostFacts.probe(),
                                own != null ? own.path() : o.consoleSocket()), warnings);
                Started started = launch(r, plan, base.spec().process().oomScoreAdj(), own);
                if (o.pidFile() != null) {
                    StateStore.writeAtomically(o.pidFile().toAbsolutePath(), Integer.toString(started.pid()).getBytes());
                }
                return started;
            } finally {
                if (own != null) own.close();
            }
        }
    }

    private Started launch(ContainerRecord r, ExecPlan plan, Integer oomScoreAdj, ConsoleSocket own) {
        byte[] planBytes = PlanEncoder.encodeExec(plan);
        Sys.setChildSubreaper(); // the process becomes our child when stage1 exits
        Debug.step("plan built: " + planBytes.length + " bytes; starting the helper " + helper);
        HelperLauncher.Started h = HelperLauncher.start(helper, plan.process().preserveFds());
        int helperPid = h.pid(), pid = 0;
        boolean done = false;
        try (SyncChannel sync = h.channel()) {
            Debug.step("helper started, pid " + helperPid + ": moving it into the cgroups " + r.cgroupDirs());
            CgroupManager.forHost().join(r.cgroupDirs().stream().map(Path::of).toList(), helperPid);
            Debug.step("sync: sending the plan");
            sync.send(SyncChannel.PLAN, planBytes);
            Debug.step("sync: waiting for the process's pid");
            pid = sync.expect(SyncChannel.PID, "the exec process's pid").getInt();
            Debug.step("sync: process pid " + pid + "; sending the pid ack");
            Sys.waitpid(helperPid, 0);
            helperPid = 0;
            // stage1 joined the namespaces of r.pid(): it must still be the container's init, not a reused pid
            if (!ProcStat.isOurs(r.pid(), r.initStartTime())) throw new ContainerException("container not running");
            // the process has crema's value already (stage1 inherits it); a user could not write a
            // non-dumpable process's file, so write only a value that differs
            if (oomScoreAdj != null && oomScoreAdj != RootlessLimits.ownOomScoreAdj()) {
                Create.writeProc(pid, "oom_score_adj", oomScoreAdj.toString());
            }
            sync.send(SyncChannel.PID_ACK, Create.pidAck(Start.stateJson(r, "running"), plan.process().seccomp(), pid));
            Debug.step("sync: waiting for the process to be ready");
            sync.expect(SyncChannel.READY, "the exec process to be ready");
            Debug.step("exec'd pid " + pid);
            int master = own == null ? -1 : own.receive();
            done = true;
            return new Started(pid, master);
        } finally {
            if (!done) abandon(helperPid, pid);
        }
    }

    /** The init's namespaces that are not ours, each as /proc/PID/ns/TYPE, user first. */
    static List<NamespaceJoin> joins(int initPid) {
        List<NamespaceJoin> joins = new ArrayList<>();
        for (var e : NAMESPACES.entrySet()) {
            Path theirs = Path.of("/proc", Integer.toString(initPid), "ns", e.getKey());
            try {
                if (!Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(Path.of("/proc/self/ns", e.getKey())))) {
                    joins.add(new NamespaceJoin(e.getValue(), theirs.toString()));
                }
            } catch (java.nio.file.NoSuchFileException ex) {
                if (e.getKey().equals("time")) continue; // a kernel without time namespaces
                throw new ContainerException("container not running");
            } catch (IOException ex) {
                throw new ContainerException("read " + theirs + ": " + ex.getMessage());
            }
        }
        return joins;
    }

    private static Process readProcess(Path file) {
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ContainerException("read process file " + file + ": " + e.getMessage());
        }
        try {
            return SpecParser.parseProcess(json, file.toString());
        } catch (SpecException e) {
            throw new ContainerException("invalid process file " + file + ": " + e.getMessage());
        }
    }

    private static void abandon(int helperPid, int pid) {
        List<String> errors = new ArrayList<>();
        HelperLauncher.killAndReap(helperPid, pid, errors);
        if (!errors.isEmpty()) System.err.println("crema: cleanup after a failed exec: " + String.join("; ", errors));
    }
}

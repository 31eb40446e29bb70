package crema.lifecycle;

import crema.cgroups.CgroupManager;
import crema.cgroups.DeviceRule;
import crema.cgroups.DeviceRules;
import crema.cgroups.ResourcesCheck;
import crema.plan.InvalidSpecException;
import crema.plan.LaunchPlan;
import crema.plan.PlanBuilder;
import crema.plan.PlanEncoder;
import crema.plan.PlanInputs;
import crema.cgroups.RootlessCgroups;
import crema.hooks.HookRunner;
import crema.hooks.LaterHooks;
import crema.process.ConsoleSocket;
import crema.process.HelperLauncher;
import crema.seccomp.SeccompCompiler;
import crema.process.ProcStat;
import crema.process.SyncChannel;
import crema.spec.Spec;
import crema.spec.SpecException;
import crema.spec.SpecParser;
import crema.spec.State;
import crema.spec.StateJson;
import crema.state.ContainerException;
import crema.state.ContainerRecord;
import crema.state.Lock;
import crema.state.StateStore;
import crema.state.UtcTime;
import crema.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `create`: validate, plan, reserve the id, make the cgroup, start crema-init,
 * walk the sync protocol, save the state. Every step after the reservation
 * is undone if a later one fails: no state dir, cgroup or process is left.
 */
public final class Create {
    private final StateStore store;
    private final CgroupManager cgroups;
    private final Path helper;

    public Create(StateStore store, CgroupManager cgroups, Path helper) {
        this.store = store;
        this.cgroups = cgroups;
        this.helper = helper;
    }

    /** A created container: its record, and the pty master crema holds for a foreground run (else -1). */
    public record Created(ContainerRecord record, int consoleMaster) {}

    /** The container as created, for `run` to go on with. */
    public Created create(CreateOptions o) {
        try {
            return createSteps(o);
        } catch (RuntimeException e) {
            Debug.failed("create");
            throw e;
        }
    }

    private Created createSteps(CreateOptions o) {
        StateStore.checkId(o.id());
        // systemd's listen fds come first, then the preserved ones, as runc passes them
        int preserveFds = o.listenFds() + o.preserveFds();
        checkPreservedFds(preserveFds, o.inheritedFds());
        Path bundle = o.bundle().toAbsolutePath().normalize();
        Debug.step("create " + o.id() + ": reading " + bundle.resolve("config.json"));
        byte[] config = readConfig(bundle);
        Debug.step("config read (" + config.length + " bytes): validating it");
        Path notifyDir = o.notifySocket() == null ? null : store.dir(o.id()).resolve(Activation.NOTIFY_DIR);
        Spec spec = Activation.apply(parseConfig(bundle.resolve("config.json"), config), o.listenFds(), notifyDir);
        Path rootfs = bundle.resolve(spec.root() == null ? "" : spec.root().path()).normalize();
        if (spec.root() == null) throw new InvalidSpecException("root", "must be set");
        if (!Files.isDirectory(rootfs)) throw new ContainerException("rootfs (\"" + rootfs + "\") does not exist");
        boolean terminal = spec.process() != null && spec.process().terminal();
        ConsoleSocket own = ConsoleSocket.needed(terminal, o.consoleSocket(), !o.foreground()) ? ConsoleSocket.listen() : null;

        String cgroupsPath = spec.linux() == null ? null : spec.linux().cgroupsPath();
        Debug.step("locating the cgroups" + (cgroupsPath == null ? " (no cgroupsPath: named by the id)" : " of " + cgroupsPath));
        List<CgroupManager.Dir> dirs = cgroups.locate(cgroupsPath, o.id(), spec.annotations());
        PlanInputs.HostFacts host = PlanInputs.HostFacts.probe();
        crema.spec.Resources resources = spec.linux() == null ? null : spec.linux().resources();
        CgroupManager manager = cgroups;
        List<CgroupManager.Dir> mountDirs = dirs; // what a "cgroup" mount shows the container
        if (host.rootless() && !CgroupManager.writable(dirs)) {
            RootlessCgroups.refuseLimits(resources, "crema runs as uid " + host.caller().uid() + ", which may not write "
                    + dirs.stream().map(d -> d.path().toString()).findFirst().orElse("a cgroup") + " (no cgroup is delegated to it)");
            Debug.step("rootless: no writable cgroup, the container stays in crema's own");
            mountDirs = cgroups.own();
            dirs = List.of();
            manager = new crema.cgroups.CgroupDisabled();
        }
        if (Debug.on()) Debug.step("cgroup paths: " + dirs.stream().map(d -> d.path().toString()).toList());
        Path stateDir = store.dir(o.id());
        PlanInputs.SeccompProgram seccomp = spec.linux() == null || spec.linux().seccomp() == null ? null
                : SeccompCompiler.compile(spec.linux().seccomp());
        PlanInputs inputs = new PlanInputs(bundle, stateDir.toString(), preserveFds, o.noPivot(), !o.noNewKeyring(),
                mountDirs.stream().map(d -> new PlanInputs.CgroupDir(d.hierarchy(), d.path())).toList(),
                host, p -> p.equals(notifyDir) || Files.isDirectory(p), Create::isHostNamespace, seccomp,
                own != null ? own.path() : o.consoleSocket());
        Debug.step("building the launch plan");
        LaunchPlan plan = PlanBuilder.build(spec, inputs);
        byte[] planBytes = PlanEncoder.encode(plan);
        Debug.step("plan built: " + planBytes.length + " bytes; checking resources and devices");
        ResourcesCheck.check(resources);
        if (host.rootless()) RootlessLimits.check(plan, host.caller());
        List<DeviceRule> deviceRules = DeviceRules.forContainer(spec.linux());

        // The init must become our child when stage1 exits, so a failure can reap it.
        Sys.setChildSubreaper();
        Debug.step("reserving " + stateDir);
        store.reserve(o.id());
        Cleanup cleanup = new Cleanup(store, manager, o.id());
        try (Lock lock = store.lock(o.id(), true)) {
            Path fifo = stateDir.resolve(StateStore.FIFO);
            Sys.mkfifo(fifo, 0622);
            // The umask took the write bits: a non-root init must still be able to open it for writing.
            try {
                Files.setPosixFilePermissions(fifo, java.nio.file.attribute.PosixFilePermissions.fromString("rw--w--w-"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("chmod " + fifo, e);
            }
            List<Path> dirPaths = dirs.stream().map(CgroupManager.Dir::path).toList();
            // Saved before each step that leaves something behind, so that if this process is
            // killed, `delete --force` finds the cgroups and the init to clean up.
            Provisional saved = new Provisional(store, spec, o, bundle, rootfs, dirPaths);
            saved.save(0, 0, manager.wouldCreate(dirs));
            CrashPoint.at("create:saved");
            Debug.step("making the cgroups");
            cleanup.cgroups = manager.create(dirs);
            saved.save(0, 0, cleanup.cgroups);
            Debug.step("applying the cgroup limits");
            CrashPoint.at("create:cgroups");
            // Limits are in place before the helper joins: it never runs unlimited.
            manager.apply(dirPaths, resources, deviceRules, false);
            if (notifyDir != null) makeNotifyDir(notifyDir);
            Debug.step("starting the helper " + helper);
            HelperLauncher.Started h = HelperLauncher.start(helper, preserveFds);
            cleanup.helperPid = h.pid();
            SyncChannel sync = h.channel();
            try {
                Debug.step("helper started, pid " + h.pid() + ": moving it into the cgroups");
                manager.join(dirPaths, h.pid());
                CrashPoint.at("create:spawned");
                Debug.step("sync: sending the plan");
                sync.send(SyncChannel.PLAN, planBytes);
                Debug.step("sync: waiting for the init's pid");
                ByteBuffer pidMsg = sync.expect(SyncChannel.PID, "the container init's pid");
                int pid = pidMsg.getInt();
                Debug.step("sync: init pid " + pid + "; writing its id maps, net devices, oom_score_adj");
                cleanup.initPid = pid;
                Sys.waitpid(h.pid(), 0);
                cleanup.helperPid = 0;
                ProcStat initStat = ProcStat.read(pid);
                saved.save(pid, initStat == null ? 0 : initStat.startTime(), cleanup.cgroups);
                CrashPoint.at("create:pid");
                // While the init waits: its id maps (by crema as root, or as a user directly or through newuidmap).
                IdMaps.write(pid, plan, host.caller());
                NetDevices.moveInto(plan.netDevices(), pid);
                if (plan.oomScoreAdj() != null) {
                    writeProc(pid, "oom_score_adj", plan.oomScoreAdj().toString());
                }
                // What the hooks of create see: they run after the environment is made, so "created" (runtime-spec
                // state.md: after step 2 of the lifecycle), as crun has it (runc says "creating").
                byte[] state = StateJson.write(new State(spec.ociVersion(), o.id(), "created", pid, bundle.toString(),
                        spec.annotations()));
                Debug.step("sync: sending the pid ack");
                sync.send(SyncChannel.PID_ACK, pidAck(state, plan.process().seccomp(), pid));
                Debug.step("sync: waiting for the container's mounts");
                sync.expect(SyncChannel.MOUNTS_DONE, "the container's mounts");
                CrashPoint.at("create:mounts");
                if (spec.hooks() != null) {
                    Debug.step("hooks: running " + Debug.count(spec.hooks().prestart()) + " prestart hook(s)");
                    HookRunner.run(spec.hooks().prestart(), "prestart", state);
                    Debug.step("hooks: running " + Debug.count(spec.hooks().createRuntime()) + " createRuntime hook(s)");
                    HookRunner.run(spec.hooks().createRuntime(), "createRuntime", state);
                }
                Debug.step("sync: sending the mounts ack");
                sync.send(SyncChannel.MOUNTS_ACK, new byte[0]);
                Debug.step("sync: waiting for the container to be ready");
                sync.expect(SyncChannel.READY, "the container to be ready");
                CrashPoint.at("create:ready");
                Debug.step("sync: ready; saving the state");
                LaterHooks.save(stateDir, spec.hooks());
                ExecBase.save(stateDir, config, seccomp, !o.noNewKeyring());
                ProcStat stat = ProcStat.read(pid);
                if (stat == null) throw new ContainerException("container init exited during create");
                ContainerRecord record = saved.save(pid, stat.startTime(), cleanup.cgroups);
                if (o.pidFile() != null) {
                    StateStore.writeAtomically(o.pidFile().toAbsolutePath(), Integer.toString(pid).getBytes());
                }
                int master = own == null ? -1 : own.receive();
                cleanup.done = true;
                Debug.step("created " + o.id() + ", init pid " + pid);
                return new Created(record, master);
            } finally {
                // The processes go before the channel: a helper or init that saw it close would say so on stderr.
                if (!cleanup.done) cleanup.killProcesses();
                sync.close();
            }
        } finally {
            if (own != null) own.close();
            if (!cleanup.done) cleanup.run();
        }
    }

    /** The container's record, saved at each step of create. */
    record Provisional(StateStore store, Spec spec, CreateOptions o, Path bundle, Path rootfs, List<Path> dirs) {
        ContainerRecord save(int pid, long startTime, List<Path> created) {
            ContainerRecord r = new ContainerRecord(spec.ociVersion(), o.id(), pid, startTime, bundle.toString(),
                    rootfs.toString(), UtcTime.now(), System.getProperty("user.name", ""),
                    spec.annotations() == null ? Map.of() : new LinkedHashMap<>(spec.annotations()),
                    dirs.stream().map(Path::toString).toList(), created.stream().map(Path::toString).toList(),
                    o.systemdCgroup());
            store.save(r);
            return r;
        }
    }

    /** The state JSON for hooks and, for a seccomp agent, NUL then its container process state. */
    static byte[] pidAck(byte[] state, LaunchPlan.Seccomp seccomp, int pid) {
        if (seccomp == null || seccomp.listenerPath() == null) return state;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(state);
        out.write(0);
        try (var g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("ociVersion", "1.3.0");
            g.writeArrayFieldStart("fds");
            g.writeString("seccompFd");
            g.writeEndArray();
            g.writeNumberField("pid", pid);
            g.writeStringField("metadata", seccomp.listenerMetadata());
            g.writeFieldName("state");
            g.writeRawValue(new String(state, java.nio.charset.StandardCharsets.UTF_8));
            g.writeEndObject();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Whether a namespace joined by path is crema's own, the host's: same device and inode as /proc/self/ns/X. */
    private static boolean isHostNamespace(LaunchPlan.NamespaceJoin j) {
        String name = j.nsType() == crema.plan.Linux.CLONE_NEWNET ? "net" : j.nsType() == crema.plan.Linux.CLONE_NEWIPC ? "ipc"
                : j.nsType() == crema.plan.Linux.CLONE_NEWUTS ? "uts" : j.nsType() == crema.plan.Linux.CLONE_NEWNS ? "mnt" : null;
        if (name == null) return false;
        try {
            return Files.isSameFile(Path.of(j.path()), Path.of("/proc/self/ns", name));
        } catch (java.io.IOException e) {
            return false; // a path that is no namespace is refused where it is joined
        }
    }

    /** The notify socket's dir: 0711 as the container dir, so a non-root container process reaches the socket in it. */
    private static void makeNotifyDir(Path dir) {
        try {
            StateStore.makeDir(dir, StateStore.Modes.PASS_THROUGH);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("mkdir " + dir, e);
        }
    }

    static void writeProc(int pid, String file, String value) {
        Path p = Path.of("/proc", Integer.toString(pid), file);
        try {
            Files.writeString(p, value);
        } catch (IOException e) {
            throw new ContainerException("write " + value + " to " + p + ": " + e.getMessage(), e);
        }
    }

    /** A preserved fd must be one the caller passed, not one the JVM opened since (inherited: null = unknown). */
    static void checkPreservedFds(int count, java.util.Set<Integer> inherited) {
        if (count < 0) throw new ContainerException("--preserve-fds: must not be negative");
        if (inherited == null) return;
        for (int fd = 3; fd < 3 + count; fd++) {
            if (!inherited.contains(fd)) {
                throw new ContainerException("--preserve-fds: fd " + fd + " was not passed to crema");
            }
        }
    }

    static byte[] readConfig(Path bundle) {
        if (!Files.isDirectory(bundle)) {
            throw new ContainerException("bundle \"" + bundle + "\": no such file or directory");
        }
        Path config = bundle.resolve("config.json");
        try {
            return Files.readAllBytes(config);
        } catch (NoSuchFileException e) {
            throw new ContainerException("open " + config + ": no such file or directory");
        } catch (IOException e) {
            throw new ContainerException("read " + config + ": " + e.getMessage());
        }
    }

    static Spec parseConfig(Path config, byte[] json) {
        try {
            return SpecParser.parseConfig(json);
        } catch (SpecException e) {
            throw new ContainerException("invalid " + config + ": " + e.getMessage());
        }
    }

    /** Undo for a create that did not finish; collects errors rather than stopping at the first. */
    static final class Cleanup {
        private final StateStore store;
        private final CgroupManager manager;
        private final String id;
        List<Path> cgroups = List.of();
        int helperPid;
        int initPid;
        boolean done;

        Cleanup(StateStore store, CgroupManager manager, String id) {
            this.store = store;
            this.manager = manager;
            this.id = id;
        }

        private final List<String> errors = new ArrayList<>();

        /** Kills and reaps the helper and the init, once. */
        void killProcesses() {
            HelperLauncher.killAndReap(helperPid, initPid, errors);
            helperPid = 0;
            initPid = 0;
        }

        void run() {
            killProcesses();
            try {
                manager.destroy(cgroups);
            } catch (RuntimeException e) {
                errors.add(e.getMessage());
            }
            try {
                store.remove(id);
            } catch (RuntimeException e) {
                errors.add(e.getMessage());
            }
            if (!errors.isEmpty()) System.err.println("crema: cleanup after a failed create: " + String.join("; ", errors));
        }
    }
}

package crema.lifecycle;

import crema.cgroups.CgroupManager;
import crema.cgroups.DeviceRule;
import crema.cgroups.DeviceRules;
import crema.cgroups.ResourcesCheck;
import crema.criu.Criu;
import crema.hooks.LaterHooks;
import crema.plan.InvalidSpecException;
import crema.plan.PlanInputs;
import crema.process.ProcStat;
import crema.seccomp.SeccompCompiler;
import crema.spec.Spec;
import crema.state.ContainerException;
import crema.state.ContainerRecord;
import crema.state.Lock;
import crema.state.StateStore;
import crema.sys.Sys;
import crema.sys.Tty;
import crema.sys.UnixSockets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * `restore`: a container from the bundle's config.json, as create makes it
 * (state dir, cgroups with their limits), whose processes CRIU restores from
 * --image-path instead of crema-init starting them. The bundle's bind mounts
 * are mapped onto the external mounts checkpoint named, as runc maps them.
 * A failed restore leaves nothing: no state dir, cgroup or process.
 */
public final class Restore {
    private static final long MOUNT_SECONDS = 30;
    /** The fd criu gets the restored processes' terminal on, for --inherit-fd. */
    private static final int PTY_FD = 3;
    private final StateStore store;
    private final CgroupManager cgroups;

    public Restore(StateStore store, CgroupManager cgroups) {
        this.store = store;
        this.cgroups = cgroups;
    }

    /** Restores the container; returns its record (the restored init is crema's child: --restore-sibling). */
    public ContainerRecord restore(RestoreOptions o) {
        try {
            return restoreSteps(o);
        } catch (RuntimeException e) {
            Debug.failed("restore");
            throw e;
        }
    }

    private ContainerRecord restoreSteps(RestoreOptions o) {
        StateStore.checkId(o.id());
        CheckpointOptions c = o.criu();
        if (!Files.isDirectory(c.imagePath())) {
            throw new ContainerException("--image-path: " + c.imagePath() + " is not a directory of checkpoint images");
        }
        Path bundle = o.bundle().toAbsolutePath().normalize();
        byte[] config = Create.readConfig(bundle);
        Spec spec = Create.parseConfig(bundle.resolve("config.json"), config);
        if (spec.root() == null) throw new InvalidSpecException("root", "must be set");
        Path rootfs = bundle.resolve(spec.root().path()).normalize();
        if (!Files.isDirectory(rootfs)) throw new ContainerException("rootfs (\"" + rootfs + "\") does not exist");
        String terminalKey = terminalKey(c.imagePath());
        boolean terminal = spec.process() != null && spec.process().terminal();
        if (terminal && o.consoleSocket() == null && !c.shellJob()) {
            throw new ContainerException("restore: a container with process.terminal needs --console-socket (the new pty's"
                    + " master is sent there), or --shell-job with a terminal as crema's stdin");
        }
        if (!terminal && o.consoleSocket() != null) {
            throw new ContainerException("--console-socket: process.terminal is false in " + bundle.resolve("config.json"));
        }
        Criu criu = Criu.locate(c.criu());
        String cgroupsPath = spec.linux() == null ? null : spec.linux().cgroupsPath();
        List<CgroupManager.Dir> dirs = cgroups.locate(cgroupsPath, o.id());
        crema.spec.Resources resources = spec.linux() == null ? null : spec.linux().resources();
        ResourcesCheck.check(resources);
        List<DeviceRule> deviceRules = DeviceRules.forContainer(spec.linux());
        PlanInputs.SeccompProgram seccomp = spec.linux() == null || spec.linux().seccomp() == null ? null
                : SeccompCompiler.compile(spec.linux().seccomp());
        Checkpoint.makeDir(c.work(), "--work-path");

        // The restored init becomes our child (--restore-sibling); a failure must still be able to reap it.
        Sys.setChildSubreaper();
        Path stateDir = store.reserve(o.id());
        Create.Cleanup cleanup = new Create.Cleanup(store, cgroups, o.id());
        // Beside the state dir, never in it: removing a state dir must not walk into a bound rootfs.
        Path root = store.dir(o.id()).resolveSibling(".criu-root-" + o.id());
        boolean mounted = false;
        Tty.Pty pty = null;
        try (Lock lock = store.lock(o.id(), true)) {
            List<Path> dirPaths = dirs.stream().map(CgroupManager.Dir::path).toList();
            CreateOptions asCreate = new CreateOptions(o.id(), bundle, o.pidFile(), o.consoleSocket(), false, false, 0,
                    false, null, !o.detach(), 0, null);
            Create.Provisional saved = new Create.Provisional(store, spec, asCreate, bundle, rootfs, dirPaths);
            saved.save(0, 0, CgroupManager.missing(dirs));
            cleanup.cgroups = cgroups.create(dirs);
            saved.save(0, 0, cleanup.cgroups);
            cgroups.apply(dirPaths, resources, deviceRules, false);
            makeMountpoints(rootfs, spec);
            // CRIU wants the root to be a mount point of its own, as runc gives it one.
            Checkpoint.makeDir(root, "restore");
            command("mount", "--rbind", rootfs.toString(), root.toString());
            mounted = true;
            Path pidFile = c.work().resolve("restore.pid");
            Files.deleteIfExists(pidFile);
            List<String> args = restoreArgs(o, spec, root, dirs, pidFile);
            if (terminalKey != null && o.consoleSocket() != null) pty = Tty.openPty();
            int terminalFd = pty != null ? pty.slave() : 0;
            args.addAll(terminalArgs(terminalKey, terminalFd));
            Debug.step("restore " + o.id() + ": criu " + String.join(" ", args));
            // criu's stdin stays its own (--shell-job keeps it): the terminal goes in on PTY_FD, a copy of stdin if need be
            criu.run("restore: criu restore of container " + o.id(), args, c.work().resolve("restore.log"),
                    terminalKey == null ? new int[0] : new int[] {terminalFd, PTY_FD});
            if (pty != null) {
                UnixSockets.sendFd(Path.of(o.consoleSocket()), pty.master(), "/dev/ptmx", "the pty master");
            }
            int pid = Integer.parseInt(Files.readString(pidFile).trim());
            cleanup.initPid = pid;
            ProcStat stat = ProcStat.read(pid);
            if (stat == null) throw new ContainerException("restore: the restored init (pid " + pid + ") exited at once");
            LaterHooks.save(stateDir, spec.hooks());
            ExecBase.save(stateDir, config, seccomp, true);
            ContainerRecord record = saved.save(pid, stat.startTime(), cleanup.cgroups);
            if (o.pidFile() != null) {
                StateStore.writeAtomically(o.pidFile().toAbsolutePath(), Integer.toString(pid).getBytes(StandardCharsets.UTF_8));
            }
            cleanup.done = true;
            return record;
        } catch (IOException e) {
            throw new ContainerException("restore: " + e.getMessage(), e);
        } finally {
            if (pty != null) {
                Sys.closeQuietly(pty.master());
                Sys.closeQuietly(pty.slave());
            }
            if (mounted) unmount(root);
            try {
                Files.deleteIfExists(root); // only once empty: never the rootfs under it
            } catch (IOException e) {
                System.err.println("crema: restore: cannot remove " + root + ": " + e.getMessage());
            }
            if (!cleanup.done) cleanup.run();
        }
    }

    private static List<String> restoreArgs(RestoreOptions o, Spec spec, Path root, List<CgroupManager.Dir> dirs, Path pidFile)
            throws IOException {
        CheckpointOptions c = o.criu();
        List<String> a = new ArrayList<>(List.of("restore", "--images-dir", c.imagePath().toString(),
                "--work-dir", c.work().toString(), "--log-file", "restore.log", "-v4", "--root", root.toString(),
                "--restore-detached", "--restore-sibling", "--pidfile", pidFile.toString()));
        a.add(Checkpoint.manageCgroups(c));
        if (c.tcpEstablished()) a.add("--tcp-established");
        if (c.extUnixSk()) a.add("--ext-unix-sk");
        if (c.shellJob()) a.add("--shell-job");
        if (c.fileLocks()) a.add("--file-locks");
        if (c.autoDedup()) a.add("--auto-dedup");
        if (c.lazyPages()) a.add("--lazy-pages"); // the pages come from criu lazy-pages, which the caller runs
        if (c.emptyNs() != null) a.addAll(List.of("--empty-ns", Checkpoint.emptyNs(c.emptyNs())));
        // Into the cgroups just made, whatever the checkpointed container's were.
        for (CgroupManager.Dir d : dirs) {
            String root0 = cgroupRoot(d);
            if (root0 != null) a.addAll(List.of("--cgroup-root", root0));
        }
        // The bundle's bind mounts, by the destination checkpoint named them with.
        for (crema.spec.Mount m : spec.mounts() == null ? List.<crema.spec.Mount>of() : spec.mounts()) {
            if (Checkpoint.isBind(m)) a.addAll(List.of("--external", "mnt[" + m.destination() + "]:" + m.source()));
        }
        // Masked files were dumped as external mounts of /dev/null (a masked directory is a tmpfs CRIU restores).
        if (spec.linux() != null && spec.linux().maskedPaths() != null) {
            for (String masked : spec.linux().maskedPaths()) a.addAll(List.of("--external", "mnt[" + masked + "]:/dev/null"));
        }
        // The init's stdio pipes of before are gone: ours take their place, as runc passes them.
        List<String> descriptors = descriptors(c.imagePath());
        for (int fd = 0; fd < descriptors.size(); fd++) {
            if (descriptors.get(fd).startsWith("pipe:")) {
                a.addAll(List.of("--inherit-fd", "fd[" + fd + "]:" + descriptors.get(fd)));
            }
        }
        return a;
    }

    /** The terminal checkpoint dumped as an external tty (its CRIU key), or null for a container without one. */
    private static String terminalKey(Path images) {
        Path f = images.resolve(Checkpoint.TERMINAL);
        try {
            return Files.exists(f) ? Files.readString(f).trim() : null;
        } catch (IOException e) {
            throw new ContainerException("restore: read " + f + ": " + e.getMessage(), e);
        }
    }

    /**
     * The terminal in place of the dumped one, crema's fd terminalFd, which criu gets as PTY_FD:
     * the new pty's slave, else (--shell-job without --console-socket) crema's stdin; and that
     * terminal again as the /dev/console bind. The restored processes' stdio are then a pty
     * of crema's devpts, not one of the container's own: the container's /dev/pts stays empty.
     */
    static List<String> terminalArgs(String key, int terminalFd) {
        if (key == null) return List.of();
        Path slave;
        try {
            slave = Files.readSymbolicLink(Path.of("/proc/self/fd/" + terminalFd));
        } catch (IOException e) {
            throw new ContainerException("restore: the terminal to restore the container's on: " + e.getMessage(), e);
        }
        if (terminalFd == 0 && Checkpoint.terminalKey(Path.of("/proc/self/fd/0")) == null) {
            throw new ContainerException("restore: --shell-job without --console-socket restores the container's terminal"
                    + " on crema's stdin, which is not a pty (" + slave + ")");
        }
        return List.of("--inherit-fd", "fd[" + PTY_FD + "]:" + key,
                "--external", "mnt[" + Checkpoint.CONSOLE_KEY + "]:" + slave);
    }

    /**
     * CRIU mounts onto the mountpoints it finds in the rootfs: a rootfs that is not the one dumped (podman's
     * restore --import unpacks a new one) lacks those create made, so they are made here as create makes them:
     * a file for a bind of a file, else a directory. Nothing is made through a symlink of the rootfs.
     */
    static void makeMountpoints(Path rootfs, Spec spec) throws IOException {
        if (spec.mounts() == null) return;
        for (crema.spec.Mount m : spec.mounts()) {
            if (m.destination() == null || !m.destination().startsWith("/")) continue;
            boolean file = Checkpoint.isBind(m) && m.source() != null && Files.isRegularFile(Path.of(m.source()));
            Path at = rootfs;
            String[] parts = m.destination().substring(1).split("/");
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].isEmpty() || parts[i].equals(".")) continue;
                if (parts[i].equals("..")) throw new ContainerException("restore: mount destination " + m.destination()
                        + " leaves the rootfs");
                at = at.resolve(parts[i]);
                if (Files.isSymbolicLink(at)) break; // create follows links in the container's root; CRIU too
                if (Files.exists(at, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                if (i == parts.length - 1 && file) Files.createFile(at);
                else Files.createDirectory(at);
            }
        }
    }

    /** CRIU's --cgroup-root for one of our cgroups: CONTROLLER:/path below its hierarchy (no controller on v2). */
    static String cgroupRoot(CgroupManager.Dir d) {
        Path mount = Path.of("/sys/fs/cgroup", d.hierarchy());
        if (!d.path().startsWith(mount)) return null;
        String rel = "/" + mount.relativize(d.path());
        if (d.hierarchy().isEmpty()) return rel;
        if (d.hierarchy().equals("unified")) return null; // a hybrid host's empty v2 tree holds no controller
        return (d.hierarchy().equals("systemd") ? "name=systemd" : d.hierarchy()) + ":" + rel;
    }

    private static List<String> descriptors(Path images) throws IOException {
        Path f = images.resolve(Checkpoint.DESCRIPTORS);
        if (!Files.exists(f)) return List.of();
        String json = Files.readString(f).trim();
        List<String> out = new ArrayList<>();
        for (String part : json.replaceAll("^\\[|\\]$", "").split(",")) {
            out.add(part.trim().replaceAll("^\"|\"$", ""));
        }
        return out;
    }

    private static void unmount(Path root) {
        try {
            command("umount", "--lazy", root.toString());
        } catch (ContainerException e) {
            System.err.println("crema: restore: " + e.getMessage());
        }
    }

    /** mount(8) and umount(8): only for the rootfs bind CRIU needs for the time of a restore. */
    private static void command(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(MOUNT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ContainerException(String.join(" ", argv) + ": did not finish within " + MOUNT_SECONDS + " s");
            }
            if (p.exitValue() != 0) throw new ContainerException(String.join(" ", argv) + ": " + out);
        } catch (IOException e) {
            throw new ContainerException(String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException(String.join(" ", argv) + ": interrupted");
        }
    }
}

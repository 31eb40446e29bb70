package crema.lifecycle;

import crema.cgroups.CgroupManager;
import crema.criu.Criu;
import crema.spec.Mount;
import crema.spec.Spec;
import crema.state.ContainerException;
import crema.state.ContainerRecord;
import crema.state.Lock;
import crema.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * `checkpoint`: CRIU dumps the container's process tree into --image-path, as
 * runc drives it (its mounts from the host as external ones, so that restore
 * can map them again). Without --leave-running (or with --pre-dump) the
 * container is gone afterwards, as with runc; a failed dump leaves it running
 * (CRIU resumes the tasks it froze).
 */
public final class Checkpoint {
    /** The stdio targets of the init, saved beside the images: restore hands new pipes for the old ones. */
    static final String DESCRIPTORS = "descriptors.json";
    /** The CRIU key of the init's terminal, saved beside the images: restore hands a new pty in its place. */
    static final String TERMINAL = "terminal";
    /** The key the container's /dev/console bind is dumped under as an external mount. */
    static final String CONSOLE_KEY = "console";

    private final StateStore store;
    private final CgroupManager cgroups;
    private final java.util.function.Consumer<String> warnings;

    public Checkpoint(StateStore store, CgroupManager cgroups, java.util.function.Consumer<String> warnings) {
        this.store = store;
        this.cgroups = cgroups;
        this.warnings = warnings;
    }

    public void checkpoint(String id, CheckpointOptions o) {
        StateStore.checkId(id);
        ContainerRecord r = store.load(id);
        Criu criu = Criu.locate(o.criu());
        try (Lock lock = store.lock(id, true)) {
            Status status = Status.of(store, r);
            if (status != Status.RUNNING && status != Status.PAUSED) throw new ContainerException("container not running");
            Debug.step("checkpoint " + id + ": criu check");
            String refusal = criu.checkFailure();
            if (refusal != null) {
                throw new ContainerException("checkpoint: CRIU cannot work on this kernel (criu check: " + refusal
                        + "); the container keeps running");
            }
            Spec spec = ExecBase.load(store.dir(id)).spec();
            makeDir(o.imagePath(), "--image-path");
            makeDir(o.work(), "--work-path");
            writeDescriptors(r.pid(), o.imagePath());
            String what = o.preDump() ? "pre-dump" : "dump";
            Path log = o.work().resolve(what + ".log");
            List<String> args = dumpArgs(what, r, spec, o, status == Status.PAUSED);
            args.addAll(terminalArgs(r.pid(), o.imagePath()));
            Debug.step("checkpoint " + id + ": criu " + String.join(" ", args));
            criu.run("checkpoint: criu " + what + " of container " + id, args, log,
                    o.statusFd() >= 0 ? new int[] {o.statusFd(), o.statusFd()} : new int[0]);
        }
        if (!o.preDump() && !o.leaveRunning()) {
            // CRIU killed the processes: the container is gone, as runc destroys it.
            new Delete(store, cgroups, warnings).delete(id, true);
        }
    }

    private static List<String> dumpArgs(String what, ContainerRecord r, Spec spec, CheckpointOptions o, boolean paused) {
        List<String> a = new ArrayList<>(List.of(what, "--tree", Integer.toString(r.pid()),
                "--images-dir", o.imagePath().toString(), "--work-dir", o.work().toString(),
                "--log-file", what + ".log", "-v4", "--root", r.rootfs()));
        a.add(manageCgroups(o));
        if (o.parentPath() != null) a.addAll(List.of("--prev-images-dir", o.parentPath().toString()));
        if (o.preDump() || o.parentPath() != null) a.add("--track-mem");
        if (o.leaveRunning() && !o.preDump()) a.add("--leave-running");
        if (o.tcpEstablished()) a.add("--tcp-established");
        if (o.extUnixSk()) a.add("--ext-unix-sk");
        if (o.shellJob()) a.add("--shell-job");
        if (o.fileLocks()) a.add("--file-locks");
        if (o.autoDedup()) a.add("--auto-dedup");
        if (o.emptyNs() != null) a.addAll(List.of("--empty-ns", emptyNs(o.emptyNs())));
        if (paused) a.add("--freeze-cgroup=" + freezer(r));
        if (o.lazyPages() && o.pageServer() == null) throw new ContainerException("--lazy-pages: needs --page-server"
                + " ADDRESS:PORT (where the dump serves the pages to criu lazy-pages)");
        if (o.pageServer() != null) {
            // Lazily, the dump keeps the memory and serves it at this address itself until a restore fetched it all;
            // else it sends the pages to the page server there.
            String[] at = o.pageServerAddress();
            a.addAll(List.of(o.lazyPages() ? "--lazy-pages" : "--page-server", "--address", at[0], "--port", at[1]));
        }
        if (o.lazyPages() && o.statusFd() >= 0) a.addAll(List.of("--status-fd", Integer.toString(o.statusFd())));
        for (String dest : externalMounts(spec)) a.addAll(List.of("--external", "mnt[" + dest + "]:" + dest));
        for (String masked : maskedFiles(spec, r.pid())) a.addAll(List.of("--external", "mnt[" + masked + "]:" + masked));
        return a;
    }

    /**
     * A terminal's pty has its master outside the container (with the console socket's
     * reader), which CRIU cannot dump: its slave is dumped as an external tty, and the
     * /dev/console bind of it as an external mount, so that restore can put a new pty in
     * their place. (runc asks CRIU's RPC for an orphan pts master instead, which its
     * command line does not offer.) The tty's key is saved beside the images for restore.
     */
    static List<String> terminalArgs(int pid, Path images) {
        List<String> a = new ArrayList<>();
        String key = terminalKey(Path.of("/proc/" + pid + "/fd/0"));
        if (key == null) return a;
        a.addAll(List.of("--external", key));
        if (mountedAt(pid, "/dev/console")) a.addAll(List.of("--external", "mnt[/dev/console]:" + CONSOLE_KEY));
        StateStore.writePrivate(images.resolve(TERMINAL), key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return a;
    }

    /** CRIU's tty[rdev:dev] key of the pty slave at fd, or null when it is no pty slave (UNIX98 major 136..143). */
    static String terminalKey(Path fd) {
        try {
            long rdev = (Long) Files.getAttribute(fd, "unix:rdev");
            long dev = (Long) Files.getAttribute(fd, "unix:dev");
            long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
            if (major < 136 || major > 143) return null;
            return "tty[" + Long.toHexString(rdev) + ":" + Long.toHexString(dev) + "]";
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Whether path is a mount point in pid's mount namespace. */
    static boolean mountedAt(int pid, String path) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[4].equals(path)) return true;
            }
            return false;
        } catch (IOException e) {
            throw new ContainerException("checkpoint: read /proc/" + pid + "/mountinfo: " + e.getMessage(), e);
        }
    }

    /** CRIU dumps and restores the cgroups, as runc asks it to; in runc's mode when one is given. */
    static String manageCgroups(CheckpointOptions o) {
        String mode = CheckpointOptions.cgroupsMode(o.manageCgroupsMode());
        return mode == null ? "--manage-cgroups" : "--manage-cgroups=" + mode;
    }

    /** runc's --empty-ns takes a namespace name; CRIU knows only the network one. */
    static String emptyNs(String ns) {
        if (ns.equals("network") || ns.equals("net")) return "net";
        throw new ContainerException("--empty-ns: invalid value \"" + ns + "\": only network can be left empty");
    }

    private static String freezer(ContainerRecord r) {
        for (String dir : r.cgroupDirs()) {
            if (Files.exists(Path.of(dir, "freezer.state")) || Files.exists(Path.of(dir, "cgroup.freeze"))) return dir;
        }
        throw new ContainerException("checkpoint: the container is paused but has no freezer cgroup");
    }

    /** The destinations of bind mounts: host paths CRIU cannot dump, only name. */
    static List<String> externalMounts(Spec spec) {
        List<String> out = new ArrayList<>();
        if (spec.mounts() == null) return out;
        for (Mount m : spec.mounts()) if (isBind(m)) out.add(m.destination());
        return out;
    }

    static boolean isBind(Mount m) {
        return m.destination() != null && ("bind".equals(m.type())
                || (m.options() != null && (m.options().contains("bind") || m.options().contains("rbind"))));
    }

    /** Masked files: bind mounts of the host's /dev/null (masked directories are tmpfs, which CRIU dumps). */
    static List<String> maskedFiles(Spec spec, int pid) {
        List<String> out = new ArrayList<>();
        if (spec.linux() == null || spec.linux().maskedPaths() == null) return out;
        for (String p : spec.linux().maskedPaths()) {
            Path inside = Path.of("/proc/" + pid + "/root" + p);
            if (Files.exists(inside) && !Files.isDirectory(inside)) out.add(p);
        }
        return out;
    }

    private static void writeDescriptors(int pid, Path images) {
        StringBuilder json = new StringBuilder("[");
        for (int fd = 0; fd < 3; fd++) {
            String target;
            try {
                target = Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
            } catch (IOException e) {
                target = "/dev/null"; // closed
            }
            if (fd > 0) json.append(',');
            json.append('"').append(target.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        json.append(']');
        StateStore.writePrivate(images.resolve(DESCRIPTORS), json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static void makeDir(Path dir, String flag) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ContainerException(flag + ": cannot make " + dir + ": " + e.getMessage(), e);
        }
    }
}

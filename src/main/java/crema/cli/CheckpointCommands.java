package crema.cli;

import crema.cgroups.CgroupManager;
import crema.lifecycle.Checkpoint;
import crema.lifecycle.CheckpointOptions;
import crema.lifecycle.Delete;
import crema.lifecycle.Restore;
import crema.lifecycle.RestoreOptions;
import crema.state.ContainerRecord;
import crema.state.StateStore;
import java.nio.file.Path;
import java.util.List;

/** `checkpoint` and `restore`: runc's flags, CRIU underneath. */
final class CheckpointCommands {

    int checkpoint(List<String> argv, Globals g) {
        Args a = Args.parse(argv, Commands.CHECKPOINT);
        String id = a.id("checkpoint", 1, 1);
        CheckpointOptions o = criuOptions(a, g);
        new Checkpoint(new StateStore(g.root()), CgroupManager.forHost(), g.log()::warn).checkpoint(id, o);
        return 0;
    }

    int restore(List<String> argv, Globals g) {
        Args a = Args.parse(argv, Commands.RESTORE);
        String id = a.id("restore", 1, 1);
        refuse(a, "lsm-profile", "lsm-mount-context");
        StateStore store = new StateStore(g.root());
        CgroupManager cgroups = CgroupManager.forHost();
        RestoreOptions o = new RestoreOptions(id, Path.of(a.get("bundle")), a.has("detach"),
                a.get("pid-file") == null ? null : Path.of(a.get("pid-file")), a.get("console-socket"), criuOptions(a, g));
        ContainerRecord r = new Restore(store, cgroups).restore(o);
        if (a.has("detach")) return 0;
        // The restored init is our child (CRIU restored it as its sibling): wait for it as run does.
        int code = Foreground.waitFor(r.pid());
        new Delete(store, cgroups, g.log()::warn).delete(id, true);
        return code;
    }

    private static CheckpointOptions criuOptions(Args a, Globals g) {
        Path image = Path.of(a.get("image-path", "checkpoint")).toAbsolutePath().normalize();
        Path work = a.get("work-path") == null ? null : Path.of(a.get("work-path")).toAbsolutePath().normalize();
        Path parent = a.get("parent-path") == null ? null : Path.of(a.get("parent-path"));
        return new CheckpointOptions(g.criu(), image, work, parent, a.has("leave-running"), a.has("pre-dump"),
                a.has("tcp-established"), a.has("ext-unix-sk"), a.has("shell-job"), a.has("file-locks"),
                a.has("auto-dedup"), a.get("manage-cgroups-mode"), a.get("empty-ns"), a.get("page-server"),
                a.has("lazy-pages"), statusFd(a));
    }

    /** --status-fd: an fd crema was given open for writing, meaningful with --lazy-pages only (-1: none). */
    private static int statusFd(Args a) {
        if (a.get("status-fd") == null) return -1;
        if (!a.has("lazy-pages")) throw new UsageException("--status-fd: only with --lazy-pages");
        int fd = a.intValue("status-fd", -1);
        String flags = null;
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith("flags:")) flags = line.substring(6).trim();
            }
        } catch (java.io.IOException e) {
            throw new UsageException("--status-fd: " + fd + " is not an open fd of crema's");
        }
        if (flags == null || (Integer.parseInt(flags, 8) & 3) == 0) {
            throw new UsageException("--status-fd: fd " + fd + " is not open for writing");
        }
        return fd;
    }

    private static void refuse(Args a, String... flags) {
        for (String f : flags) {
            if (a.has(f)) throw new UsageException("--" + f + ": not supported by crema yet");
        }
    }
}

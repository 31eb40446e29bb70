package crema.process;

import crema.sys.Errno;
import crema.sys.Sys;
import crema.sys.SysException;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts crema-init with the caller's stdio, the preserved fds 3..3+n-1 and
 * the sync socket right above them; nothing else of the JVM's is inherited.
 */
public final class HelperLauncher {
    public static final String SYNC_FD_ENV = "_CREMA_SYNC_FD";

    /** A started helper: its pid and our end of the sync socket. */
    public record Started(int pid, SyncChannel channel) {}

    private HelperLauncher() {}

    public static Started start(Path helper, int preserveFds) {
        int[] pair = Sys.socketpairSeqpacket();
        int target = 3 + preserveFds;
        try {
            int pid = Sys.spawn(helper.toString(), List.of("crema-init"), List.of(SYNC_FD_ENV + "=" + target),
                    pair[1], target);
            Sys.close(pair[1]);
            pair[1] = -1;
            SyncChannel channel = new SyncChannel(pair[0]);
            try {
                // Only then may the caller move it into the container's cgroup: the memfd copy of itself,
                // which it keeps until it execs the container's process, is charged to the caller's cgroup.
                channel.expect(SyncChannel.SEALED, "crema-init to run from its sealed copy");
            } catch (RuntimeException e) {
                killAndReap(pid, 0, new java.util.ArrayList<>());
                throw e;
            }
            return new Started(pid, channel);
        } catch (RuntimeException e) {
            Sys.closeQuietly(pair[0]);
            if (pair[1] >= 0) Sys.closeQuietly(pair[1]);
            throw e;
        }
    }

    /**
     * Kills what a failed launch started and reaps it: stage1 first, then its
     * child, which is ours once stage1 is gone (the caller is a subreaper).
     * A pid of 0 is skipped; errors other than ECHILD are added to errors.
     */
    public static void killAndReap(int helperPid, int childPid, List<String> errors) {
        for (int pid : new int[] {childPid, helperPid}) {
            if (pid > 0) Sys.kill(pid, 9);
        }
        for (int pid : new int[] {helperPid, childPid}) {
            if (pid <= 0) continue;
            try {
                Sys.waitpid(pid, 0);
            } catch (SysException e) {
                if (e.errno() != Errno.ECHILD) errors.add(e.getMessage());
            }
        }
    }
}

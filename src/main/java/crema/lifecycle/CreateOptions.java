package crema.lifecycle;

import java.nio.file.Path;
import java.util.Set;

/**
 * What `create` (and `run`) was asked.
 *
 * @param inheritedFds the fds >= 3 the caller really passed (listed as crema started), null if unknown
 * @param foreground   a `run` that waits: with process.terminal and no console socket, crema takes the pty
 * @param listenFds    systemd's socket-activation fds (3 .. 3+n-1, before the preserved ones), 0 for none
 * @param notifySocket the caller's NOTIFY_SOCKET, null for none
 */
public record CreateOptions(
        String id,
        Path bundle,
        Path pidFile,
        String consoleSocket,
        boolean noPivot,
        boolean noNewKeyring,
        int preserveFds,
        boolean systemdCgroup,
        Set<Integer> inheritedFds,
        boolean foreground,
        int listenFds,
        String notifySocket) {}

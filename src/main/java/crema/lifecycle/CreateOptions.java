package crema.lifecycle;

import java.nio.file.Path;
import java.util.Set;

/**
 * What `create` (and `run`) was asked.
 *
 * @param inheritedFds the fds >= 3 the caller really passed (from the launcher), null if unknown
 * @param foreground   a `run` that waits: with process.terminal and no console socket, crema takes the pty
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
        boolean foreground) {}

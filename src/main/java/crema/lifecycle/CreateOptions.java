package crema.lifecycle;

import java.nio.file.Path;
import java.util.Set;

/**
 * What `create` (and `run`) was asked.
 *
 * @param inheritedFds the fds >= 3 the caller really passed (from the launcher), null if unknown
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
        Set<Integer> inheritedFds) {}

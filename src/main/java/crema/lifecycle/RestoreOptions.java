package crema.lifecycle;

import java.nio.file.Path;

/** What `restore` was asked besides CRIU's options: runc's create-like flags. */
public record RestoreOptions(
        String id,
        Path bundle,
        boolean detach,
        Path pidFile,
        String consoleSocket,
        CheckpointOptions criu) {}

package crema.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/** The global flags and streams every command sees. */
record Globals(String rootFlag, boolean systemdCgroup, String criu, PrintStream out, PrintStream err, Log log) {
    static final String ROOT_DEFAULT = "/run/crema";

    /** Where crema-init and libcremasys live ({@link crema.sys.Sys#libdir}; the current dir if unknown). */
    static Path libdir() {
        Path dir = crema.sys.Sys.libdir();
        return dir != null ? dir : Path.of(".");
    }

    /** The state root: --root, else /run/crema for root and $XDG_RUNTIME_DIR/crema for anyone else (as runc). */
    Path root() {
        return stateRoot(rootFlag, crema.sys.Identity.effective().rootless(), System.getenv("XDG_RUNTIME_DIR"));
    }

    static Path stateRoot(String flag, boolean rootless, String xdgRuntimeDir) {
        if (flag != null) {
            if (flag.isEmpty()) throw new UsageException("--root: must not be empty");
            return Path.of(flag);
        }
        if (!rootless) return Path.of(ROOT_DEFAULT);
        // a user may not write /run/crema, and sharing it would mix users' containers
        if (xdgRuntimeDir == null || xdgRuntimeDir.isEmpty()) {
            throw new UsageException("XDG_RUNTIME_DIR is not set: a non-root user needs it (state goes to"
                    + " $XDG_RUNTIME_DIR/crema) or --root naming a directory of its own");
        }
        if (!xdgRuntimeDir.startsWith("/")) throw new UsageException("XDG_RUNTIME_DIR: must be an absolute path, got \"" + xdgRuntimeDir + "\"");
        return Path.of(xdgRuntimeDir, "crema");
    }
}

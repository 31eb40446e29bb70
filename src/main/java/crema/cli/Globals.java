package crema.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/** The global flags and streams every command sees. */
record Globals(Path root, boolean systemdCgroup, String criu, PrintStream out, PrintStream err, Log log) {
    /** Where crema-init and libcremasys live ({@link crema.sys.Sys#libdir}; the current dir if unknown). */
    static Path libdir() {
        Path dir = crema.sys.Sys.libdir();
        return dir != null ? dir : Path.of(".");
    }
}

package crema.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/** The global flags and streams every command sees. */
record Globals(Path root, boolean systemdCgroup, PrintStream out, PrintStream err, Log log) {
    /** Where crema-init and libcremasys live (set by the launcher). */
    static Path libdir() {
        return Path.of(System.getProperty("crema.libdir", "."));
    }
}

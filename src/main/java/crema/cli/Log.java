package crema.cli;

import crema.state.SmallJson;
import crema.state.UtcTime;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * --log and --log-format. containerd's shim keeps the last "error" line of a
 * JSON log and podman parses the log as one JSON object, so a failure writes
 * exactly one line. Errors also go to stderr, as runc does. --debug lines
 * (runc's fields: level, msg, time) go to the log, or to stderr without one.
 */
final class Log {
    private final String path;
    private final boolean json;
    private final boolean debug;
    private final PrintStream err;

    Log(String path, String format, boolean debug, PrintStream err) {
        this.path = path;
        this.json = "json".equals(format);
        this.debug = debug;
        this.err = err;
    }

    void error(String message) {
        err.println("crema: " + message);
        write("error", message);
    }

    void warn(String message) {
        err.println("crema: warning: " + message);
        write("warning", message);
    }

    void debug(String message) {
        if (!debug) return;
        if (path == null || path.isEmpty()) {
            err.print(line("debug", message));
        } else {
            write("debug", message);
        }
    }

    private void write(String level, String message) {
        if (path == null || path.isEmpty()) return;
        String line = line(level, message);
        try (FileOutputStream out = new FileOutputStream(path, true)) {
            out.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            err.println("crema: cannot write log " + path + ": " + e.getMessage());
        }
    }

    private String line(String level, String message) {
        String time = UtcTime.now();
        String msg = SmallJson.quote(new StringBuilder(), message).toString();
        return json
                ? "{\"level\":\"" + level + "\",\"msg\":" + msg + ",\"time\":\"" + time + "\"}\n"
                : "time=\"" + time + "\" level=" + level + " msg=" + msg + "\n";
    }
}

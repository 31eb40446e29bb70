package crema.cli;

import crema.state.SmallJson;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * --log and --log-format. containerd's shim keeps the last "error" line of a
 * JSON log and podman parses the log as one JSON object, so a failure writes
 * exactly one line. Errors also go to stderr, as runc does.
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
        if (debug) write("debug", message);
    }

    private void write(String level, String message) {
        if (path == null || path.isEmpty()) return;
        long nanos = currentTimeNanos();
        String time = utcTime(Math.floorDiv(nanos, 1_000_000_000L), (int) Math.floorMod(nanos, 1_000_000_000L));
        String msg = SmallJson.quote(new StringBuilder(), message).toString();
        String line = json
                ? "{\"level\":\"" + level + "\",\"msg\":" + msg + ",\"time\":\"" + time + "\"}\n"
                : "time=\"" + time + "\" level=" + level + " msg=" + msg + "\n";
        try (FileOutputStream out = new FileOutputStream(path, true)) {
            out.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            err.println("crema: cannot write log " + path + ": " + e.getMessage());
        }
    }

    private static long currentTimeNanos() {
        java.time.Instant now = java.time.Clock.systemUTC().instant(); // the only clock with nanoseconds
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * RFC 3339 in UTC with nanoseconds ("2026-01-02T03:04:05.000000006Z"), by
     * hand: java.time's formatter loads ~60 classes into a failing command.
     * Days to a civil date as in H. Hinnant's "chrono-compatible low-level date algorithms".
     */
    static String utcTime(long epochSecond, int nano) {
        long days = Math.floorDiv(epochSecond, 86_400L);
        long secs = Math.floorMod(epochSecond, 86_400L);
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097L);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long day = doy - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder b = new StringBuilder(30);
        pad(b, year, 4).append('-');
        pad(b, month, 2).append('-');
        pad(b, day, 2).append('T');
        pad(b, secs / 3600, 2).append(':');
        pad(b, secs / 60 % 60, 2).append(':');
        pad(b, secs % 60, 2).append('.');
        return pad(b, nano, 9).append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder b, long v, int width) {
        String s = Long.toString(v);
        for (int i = s.length(); i < width; i++) b.append('0');
        return b.append(s);
    }
}

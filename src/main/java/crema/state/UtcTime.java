package crema.state;

import java.time.Clock;
import java.time.Instant;

/**
 * RFC 3339 times in UTC with nanoseconds ("2026-01-02T03:04:05.000000006Z"),
 * for state.json's "created" and the log. By hand: java.time's formatter loads
 * ~60 classes on commands that count every millisecond.
 */
public final class UtcTime {
    private UtcTime() {}

    public static String now() {
        Instant now = Clock.systemUTC().instant(); // the only clock with nanoseconds
        return format(now.getEpochSecond(), now.getNano());
    }

    /** Days to a civil date as in H. Hinnant's "chrono-compatible low-level date algorithms". */
    public static String format(long epochSecond, int nano) {
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

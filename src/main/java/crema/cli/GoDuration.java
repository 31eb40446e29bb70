package crema.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as Go's time.ParseDuration reads them (runc's --interval): "5s", "100ms", "1h30m", "1.5s". */
final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+\\.?\\d*|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

    private GoDuration() {}

    static Duration parse(String text, String flag) {
        String s = text.startsWith("+") ? text.substring(1) : text;
        if (s.equals("0")) return Duration.ZERO;
        Matcher m = PART.matcher(s);
        double nanos = 0;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            nanos += Double.parseDouble(m.group(1)) * unit(m.group(2));
            at = m.end();
        }
        if (s.isEmpty() || at != s.length()) {
            throw new UsageException("invalid value \"" + text + "\" for flag -" + flag + ": time: invalid duration \"" + text + "\"");
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    private static double unit(String u) {
        return switch (u) {
            case "ns" -> 1;
            case "us", "µs", "μs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
        };
    }
}

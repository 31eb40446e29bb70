package crema.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Memory sizes as runc's update flags take them (docker's RAMInBytes): "512m", "1.5g", "100MiB", "-1". */
final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)*) ?([kmgtp])?i?b?", Pattern.CASE_INSENSITIVE);

    private ByteSizes() {}

    static long parse(String text, String flag) {
        if (text.equals("-1")) return -1;
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) throw new UsageException("invalid value for " + flag + ": invalid size: '" + text + "'");
        double n;
        try {
            n = Double.parseDouble(m.group(1));
        } catch (NumberFormatException e) {
            throw new UsageException("invalid value for " + flag + ": invalid size: '" + text + "'");
        }
        int power = m.group(2) == null ? 0 : "kmgtp".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
        return (long) (n * Math.pow(1024, power));
    }
}

package crema.lifecycle;

import crema.state.ContainerException;
import java.util.List;
import java.util.Locale;

/** Signal names and numbers as `kill` takes them: "9", "KILL", "SIGKILL", "sigkill". */
public final class Signals {
    private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
            "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");
    private static final int SIGRTMIN = 34, SIGRTMAX = 64;

    private Signals() {}

    /** The names kill takes, without SIG (for the bash completion). */
    public static List<String> names() {
        return NAMES.subList(1, NAMES.size());
    }

    public static int parse(String s) {
        try {
            int n = Integer.parseInt(s);
            if (n < 0 || n > SIGRTMAX) throw new ContainerException("invalid signal \"" + s + "\"");
            return n;
        } catch (NumberFormatException e) {
            // a name
        }
        String name = s.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) name = name.substring(3);
        if (name.equals("IOT")) return 6;
        if (name.equals("CLD")) return 17;
        if (name.equals("POLL")) return 29;
        int i = NAMES.indexOf(name);
        if (i > 0) return i;
        if (name.startsWith("RTMIN")) return rt(name.substring(5), SIGRTMIN, s, 1);
        if (name.startsWith("RTMAX")) return rt(name.substring(5), SIGRTMAX, s, -1);
        throw new ContainerException("invalid signal \"" + s + "\"");
    }

    private static int rt(String offset, int base, String s, int direction) {
        if (offset.isEmpty()) return base;
        try {
            int n = base + Integer.parseInt(offset);
            if (n >= SIGRTMIN && n <= SIGRTMAX && Math.signum(n - base) == direction) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ContainerException("invalid signal \"" + s + "\"");
    }
}

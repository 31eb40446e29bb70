package crema.plan;

import java.util.List;

/** RLIMIT_* names in kernel resource-number order. */
public final class RlimitNames {
    public static final List<String> ALL = List.of(
            "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
            "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
            "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME");

    private RlimitNames() {}

    static int resource(String name, String path) {
        int r = ALL.indexOf(name);
        if (r < 0) throw new InvalidSpecException(path, "unknown rlimit \"" + name + "\"");
        return r;
    }
}

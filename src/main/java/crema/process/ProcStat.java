package crema.process;

import crema.sys.SmallFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A process as /proc/<pid>/stat shows it: enough to tell it is alive and is the one we started. */
public record ProcStat(int pid, String comm, char state, long startTime) {

    /** null when the process does not exist. */
    public static ProcStat read(int pid) {
        if (pid <= 0) return null;
        String stat;
        try {
            stat = new String(SmallFile.read(Path.of("/proc", Integer.toString(pid), "stat")), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        }
        // comm may hold spaces and parentheses: fields restart after the last ')'.
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) return null;
        String[] f = stat.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state); field 22 (starttime) is f[19].
        if (f.length < 20) return null;
        int open = stat.indexOf('(');
        return new ProcStat(pid, stat.substring(open + 1, close), f[0].charAt(0), Long.parseLong(f[19]));
    }

    /** Alive, not a zombie, and started when we recorded it (so not a reused pid). */
    public static boolean isOurs(int pid, long startTime) {
        ProcStat s = read(pid);
        return s != null && s.running() && s.startTime == startTime;
    }

    /** Any process with this pid that has not exited (a zombie has). */
    public static boolean isAlive(int pid) {
        ProcStat s = read(pid);
        return s != null && s.running();
    }

    private boolean running() {
        return state != 'Z' && state != 'X';
    }
}

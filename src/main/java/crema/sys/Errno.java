package crema.sys;

/** errno values crema reacts to, and their text as runc prints it (lower case). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int ENOSYS = 38;
    public static final int EPIPE = 32;
    public static final int ENXIO = 6;
    public static final int EMSGSIZE = 90;
    public static final int ECONNRESET = 104;
    public static final int ETIMEDOUT = 110;

    private Errno() {}

    /** "no such file or directory": glibc's text with a lower-case first letter, as Go prints it. */
    public static String text(int errno) {
        String s;
        try {
            s = Native.strerror(errno);
        } catch (UnsatisfiedLinkError e) {
            s = "errno " + errno;
        }
        if (s.isEmpty()) return "errno " + errno;
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}

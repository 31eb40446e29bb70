package crema.sys;

/** A failed system call: the errno, the operation and, where there is one, the path. */
public final class SysException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public SysException(int errno, String operation, String path) {
        super(describe(errno, operation, path));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    private static String describe(int errno, String operation, String path) {
        String what = path == null ? operation : operation + " " + path;
        return what + ": " + Errno.text(errno);
    }
}

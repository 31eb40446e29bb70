package crema.process;

import crema.sys.Errno;

/**
 * A failure reported by crema-init: its text names the operation and path.
 * The errno's text is appended, except where the text says it all (errno 0,
 * and the exec lookups, worded as runc words them because callers grep them).
 */
public final class HelperException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public HelperException(int errno, String text) {
        super(errno == 0 || text.startsWith("exec: ") ? text : text + ": " + Errno.text(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}

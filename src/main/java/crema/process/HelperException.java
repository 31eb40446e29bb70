package crema.process;

import crema.sys.Errno;

/** A failure reported by crema-init: its text names the operation and path, errno is 0 when the text says it all. */
public final class HelperException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public HelperException(int errno, String text) {
        super(errno == 0 ? text : text + ": " + Errno.text(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}

package crema.state;

/** A failure to report to the caller as it is: one line, runc's wording where callers grep it. */
public class ContainerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }

    public static ContainerException doesNotExist(String id) {
        return new ContainerException("container does not exist");
    }
}

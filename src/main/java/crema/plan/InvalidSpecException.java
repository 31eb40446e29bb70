package crema.plan;

/** A config.json value that crema cannot honour; the message starts with the JSON path. */
public final class InvalidSpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidSpecException(String path, String problem) {
        super(path + ": " + problem);
    }
}

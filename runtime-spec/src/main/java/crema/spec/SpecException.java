package crema.spec;

/**
 * A document that is not valid JSON or does not fit the runtime-spec model.
 * The message is {@code "<path>: <problem>"}, the path in dotted/bracketed form
 * ({@code mounts[2].destination}); errors about the document as a whole use its
 * name ({@code config.json}) as the path.
 */
public final class SpecException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final String problem;

    public SpecException(String path, String problem) {
        super(path + ": " + problem);
        this.path = path;
        this.problem = problem;
    }

    /** Where the problem is, e.g. {@code linux.namespaces[1].type}. */
    public String path() {
        return path;
    }

    /** What is wrong, without the path. */
    public String problem() {
        return problem;
    }
}

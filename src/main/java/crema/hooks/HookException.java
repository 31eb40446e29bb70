package crema.hooks;

import crema.state.ContainerException;

/** A hook that could not run, failed or timed out. */
public final class HookException extends ContainerException {
    private static final long serialVersionUID = 1L;

    public HookException(String message) {
        super(message);
    }
}

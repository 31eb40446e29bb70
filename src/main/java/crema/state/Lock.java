package crema.state;

import crema.sys.Sys;
import java.nio.file.Path;

/** An flock on a container's state dir, held until closed (or until the process dies). */
public final class Lock implements AutoCloseable {
    private final int fd;
    private final Path dir;

    Lock(int fd, Path dir) {
        this.fd = fd;
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        Sys.closeQuietly(fd);
    }
}

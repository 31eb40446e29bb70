package crema.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The fds >= 3 crema's caller passed, listed as {@link Main#main} starts,
 * before crema opens any: {@code --preserve-fds N} refuses an fd number crema
 * itself opened later, so no fd of crema's reaches a container.
 */
final class InheritedFds {
    private static volatile Set<Integer> atStart;

    private InheritedFds() {}

    /** Lists /proc/self/fd; the listing's own fd is closed once it is read, so it is left out. */
    static void record() {
        String[] names = new File("/proc/self/fd").list();
        if (names == null) return;
        Set<Integer> fds = new HashSet<>();
        for (String name : names) {
            int fd = Integer.parseInt(name);
            if (fd >= 3 && Files.exists(Path.of("/proc/self/fd", name), LinkOption.NOFOLLOW_LINKS)) fds.add(fd);
        }
        atStart = Set.copyOf(fds);
    }

    /** The fds recorded at start; null when crema runs without {@link Main#main} (tests). */
    static Set<Integer> get() {
        return atStart;
    }
}

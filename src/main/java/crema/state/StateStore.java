package crema.state;

import crema.sys.Errno;
import crema.sys.SmallFile;
import crema.sys.Sys;
import crema.sys.SysException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The state root (--root, default /run/crema): one directory per container
 * holding state.json and, between create and start, exec.fifo. A directory
 * without state.json is a container being created (or a create that died).
 *
 * The saved config.json holds the container's env (passwords, tokens), so no
 * other user may read any of it; the modes are runc's: the root (and each
 * parent crema makes for it) 0700, a container's dir 0711 (a non-root init
 * must still reach exec.fifo, 0622, through it), its files 0600 from the moment
 * they exist. They do not depend on the caller's umask.
 */
public final class StateStore {
    public static final String STATE_FILE = "state.json";
    public static final String FIFO = "exec.fifo";

    private final Path root;

    public StateStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    public static void checkId(String id) {
        if (id == null || id.isEmpty()) throw new ContainerException("container id cannot be empty");
        if (!validIdChars(id) || id.equals(".") || id.equals("..")) {
            throw new ContainerException("invalid container id format: " + id);
        }
    }

    /** runc's rule for ids, letters, digits and _+-.: no path separators, no dot-names (a loop: no regex on every command). */
    private static boolean validIdChars(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '+' || c == '-' || c == '.';
            if (!ok) return false;
        }
        return true;
    }

    /** The modes crema gives what it makes, in a class of their own: state, start and kill, which make nothing, never load them. */
    public static final class Modes {
        /** The root and the parents crema makes for it. */
        static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
        /** A container's dir and its notify dir: others may pass through (to exec.fifo, to the socket) but not list. */
        public static final Set<PosixFilePermission> PASS_THROUGH = PosixFilePermissions.fromString("rwx--x--x");
        static final FileAttribute<Set<PosixFilePermission>> OWNER_DIR = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
        static final FileAttribute<Set<PosixFilePermission>> OWNER_FILE =
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

        private Modes() {}
    }

    /** Reserves the id: mkdir is the atomic test-and-set between concurrent creates. */
    public Path reserve(String id) {
        checkId(id);
        Path dir = dir(id);
        try {
            makeRoot();
        } catch (IOException e) {
            throw new UncheckedIOException("create state root " + root, e);
        }
        try {
            makeDir(dir, Modes.PASS_THROUGH);
            return dir;
        } catch (FileAlreadyExistsException e) {
            throw new ContainerException("container with id exists: " + id);
        } catch (IOException e) {
            throw new UncheckedIOException("create state dir " + dir, e);
        }
    }

    /** The root and its missing parents, each 0700; one that exists keeps its mode (it may be shared, like /run). */
    private void makeRoot() throws IOException {
        if (Files.isDirectory(root)) return;
        List<Path> missing = new ArrayList<>();
        for (Path p = root.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) missing.add(0, p);
        for (Path p : missing) {
            try {
                makeDir(p, Modes.OWNER_ONLY);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) throw e; // a concurrent create made it: its mode is set the same way
            }
        }
    }

    /**
     * mkdir with no access for others from the start, then chmod to the exact
     * mode (mkdir's mode is cut by the umask, and could lack the owner's bits).
     */
    public static void makeDir(Path dir, Set<PosixFilePermission> mode) throws IOException {
        Files.createDirectory(dir, Modes.OWNER_DIR);
        try {
            Files.setPosixFilePermissions(dir, mode);
        } catch (IOException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    /** The state dir, locked (shared or exclusive) for the caller; "container does not exist" if missing. */
    public Lock lock(String id, boolean exclusive) {
        checkId(id);
        Path dir = dir(id);
        int fd;
        try {
            fd = Sys.open(dir, Sys.O_RDONLY | Sys.O_DIRECTORY);
        } catch (SysException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) throw ContainerException.doesNotExist(id);
            throw e;
        }
        try {
            Sys.flock(fd, exclusive ? Sys.LOCK_EX : Sys.LOCK_SH, dir.toString());
        } catch (RuntimeException e) {
            Sys.closeQuietly(fd);
            throw e;
        }
        return new Lock(fd, dir);
    }

    public ContainerRecord load(String id) {
        Path file = dir(id).resolve(STATE_FILE);
        try {
            byte[] json = SmallFile.readIfExists(file);
            if (json == null) throw ContainerException.doesNotExist(id);
            return RecordJson.parse(json);
        } catch (IOException e) {
            throw new ContainerException("read state of " + id + ": " + e.getMessage());
        }
    }

    /** Temp file + rename, so a reader sees the old state or the new one, never half. */
    public void save(ContainerRecord r) {
        writePrivate(dir(r.id()).resolve(STATE_FILE), RecordJson.write(r));
    }

    /** A file of the state dir: written atomically, readable by its owner only (0600) from its creation on. */
    public static void writePrivate(Path file, byte[] bytes) {
        write(file, bytes, Modes.OWNER_FILE);
    }

    /** Temp file + rename, for a file of the caller's (--pid-file): its mode follows the caller's umask. */
    public static void writeAtomically(Path file, byte[] bytes) {
        write(file, bytes);
    }

    private static void write(Path file, byte[] bytes, FileAttribute<?>... mode) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            // A temp file a killed write left keeps its old mode: start from a new one.
            Files.deleteIfExists(tmp);
            try (var out = Files.newByteChannel(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode)) {
                for (java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes); b.hasRemaining(); ) out.write(b);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write error is the one to report
            }
            throw new UncheckedIOException("write " + file, e);
        }
    }

    /** The files crema puts in a state dir, removed by name: that needs no fd, so it works at EMFILE too. */
    private static final java.util.List<String> KNOWN = java.util.List.of(STATE_FILE, "." + STATE_FILE + ".tmp", FIFO,
            "hooks.json", ".hooks.json.tmp");

    /** Removes a container's state dir and everything in it. */
    public void remove(String id) {
        Path dir = dir(id);
        try {
            for (String name : KNOWN) Files.deleteIfExists(dir.resolve(name));
            Files.deleteIfExists(dir);
            return;
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            // something else in it: walk it below
        } catch (IOException e) {
            throw new UncheckedIOException("remove state dir " + dir, e);
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new UncheckedIOException("remove state dir " + dir, e);
        }
    }

    /** Ids of every container dir under the root, sorted. */
    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) return ids;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path d : dirs) ids.add(d.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("list " + root, e);
        }
        ids.sort(null);
        return ids;
    }
}

package crema.cgroups;

import crema.state.ContainerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** File operations shared by the cgroup managers. */
final class CgroupFiles {
    private CgroupFiles() {}

    /** dir and those of its parents that do not exist yet, parents first. */
    static List<Path> missing(Path dir) {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.isDirectory(p); p = p.getParent()) missing.add(0, p);
        return missing;
    }

    /** Creates dir and its missing parents, returning the ones created, parents first. */
    static List<Path> mkdirs(Path dir) {
        List<Path> created = new ArrayList<>();
        for (Path p : missing(dir)) {
            try {
                Files.createDirectory(p);
                created.add(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made by a concurrent create: not ours to remove
            } catch (IOException e) {
                throw new UncheckedIOException("create cgroup " + p, e);
            }
        }
        return created;
    }

    /**
     * A cgroup crema did not make (it existed before create) must hold no
     * process, in it or below it: else `delete` and `kill --all` could not tell
     * the container's processes from others (runc 1.2 refuses it too).
     */
    static void checkEmpty(Path dir) {
        List<Integer> pids = new ArrayList<>();
        try {
            processesUnder(dir, pids);
        } catch (IOException e) {
            throw new UncheckedIOException("count the processes in cgroup " + dir, e);
        }
        if (pids.isEmpty()) return;
        throw new ContainerException("linux.cgroupsPath: cgroup " + dir + " is not empty: " + pids.size()
                + " process(es) in it or below it (pid " + pids.get(0) + (pids.size() > 1 ? ", ..." : "")
                + "); a container needs an empty cgroup");
    }

    /**
     * A frozen cgroup, or one below a frozen parent, would stop the init
     * before it reports back, and create would wait for ever: refused (runc
     * refuses a frozen v1 one). v1's freezer.state and v2's cgroup.events
     * (a hybrid host's unified tree has it too) give the state the parents'
     * freeze makes; hierarchy roots have neither file.
     */
    static void checkNotFrozen(Path dir) {
        String why = null;
        Path v1 = dir.resolve("freezer.state");
        if (Files.exists(v1) && !read(v1).equals("THAWED")) why = "freezer.state " + read(v1);
        Path events = dir.resolve("cgroup.events");
        if (Files.exists(events) && keyValues(events).getOrDefault("frozen", 0L) != 0) why = "cgroup.events: frozen 1";
        if (why == null) return;
        throw new ContainerException("linux.cgroupsPath: cgroup " + dir + " is frozen (" + why
                + "); a container cannot start in a frozen cgroup: thaw it (or its frozen parent) first");
    }

    /** The pids in dir's cgroup.procs and in those of every cgroup below it. */
    private static void processesUnder(Path dir, List<Integer> into) throws IOException {
        for (String line : crema.sys.SmallFile.readLines(dir.resolve("cgroup.procs"))) {
            if (!line.isBlank()) into.add(Integer.parseInt(line.trim()));
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path child : children) {
                try {
                    processesUnder(child, into);
                } catch (java.io.FileNotFoundException | NoSuchFileException e) {
                    // removed meanwhile: it was empty
                }
            }
        }
    }

    static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + value + " to " + file, e);
        }
    }

    /**
     * Writes a value, in one write(2), to a cgroup file that must exist (never
     * created: a missing file means a missing controller). A failure names the
     * config field it came from, the value and the file.
     */
    static void set(Path dir, String file, String value, String field) {
        Path p = dir.resolve(file);
        try {
            Files.write(p, value.getBytes(StandardCharsets.UTF_8), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new ContainerException(field + ": write \"" + value + "\" to " + p + ": " + reason(e), e);
        }
    }

    /** The errno text of a failed file operation, lower case as runc prints it. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof AccessDeniedException) return "permission denied";
        String r = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        return r == null || r.isEmpty() ? e.toString() : Character.toLowerCase(r.charAt(0)) + r.substring(1);
    }

    /** A number file ("max" is the largest uint64, as runc reports it); 0 when the file is missing. */
    static long readNumber(Path file) {
        if (!Files.exists(file)) return 0;
        String v = read(file);
        if (v.equals("max")) return -1;
        try {
            return Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            return v.startsWith("-") ? -1 : 0; // v1 reports "-1" for unlimited in some files
        }
    }

    /** "key value" lines (memory.stat, cpu.stat, memory.events); empty when the file is missing. */
    static Map<String, Long> keyValues(Path file) {
        Map<String, Long> values = new LinkedHashMap<>();
        if (!Files.exists(file)) return values;
        for (String line : read(file).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 2) continue;
            try {
                values.put(f[0], f[1].equals("max") ? -1 : Long.parseUnsignedLong(f[1]));
            } catch (NumberFormatException e) {
                // not a counter
            }
        }
        return values;
    }

    static String read(Path file) {
        try {
            return crema.sys.SmallFile.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("read " + file, e);
        }
    }

    /**
     * rmdir deepest first; a busy cgroup (its tasks still exiting) is retried for up to ~2 s. A cgroup
     * that has a child cgroup left (another container's, below a parent both share) is kept: cgroupfs
     * answers EBUSY there, not ENOTEMPTY.
     */
    static void removeAll(List<Path> created) {
        List<Path> order = new ArrayList<>(created);
        order.sort((a, b) -> b.getNameCount() - a.getNameCount());
        for (Path p : order) {
            for (int attempt = 0; ; attempt++) {
                try {
                    Files.deleteIfExists(p);
                    break;
                } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                    break; // a child cgroup made by someone else, or already gone
                } catch (FileSystemException e) {
                    if (hasChildCgroup(p)) break;
                    if (attempt >= 200) throw new UncheckedIOException("remove cgroup " + p, e);
                    sleep();
                } catch (IOException e) {
                    throw new UncheckedIOException("remove cgroup " + p, e);
                }
            }
        }
    }

    /** Whether the cgroup dir has a child cgroup: a directory in it. */
    static boolean hasChildCgroup(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.anyMatch(Files::isDirectory);
        } catch (IOException e) {
            return false; // gone meanwhile, or unreadable: the rmdir's own error decides
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** /proc/self/cgroup as hierarchy key → path: "memory" → "/a", "name=systemd" → "/", "" (v2) → "/". */
    static Map<String, String> ownCgroups(Path procSelfCgroup) {
        Map<String, String> own = new HashMap<>();
        try {
            for (String line : crema.sys.SmallFile.readLines(procSelfCgroup)) {
                String[] f = line.split(":", 3);
                if (f.length != 3) continue;
                for (String key : f[1].split(",")) own.put(key, f[2]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("read " + procSelfCgroup, e);
        }
        return own;
    }

    /** The runc rule: absolute paths hang from the hierarchy root, relative ones from our own cgroup. */
    static Path resolve(Path mount, String own, String cgroupsPath, String id) {
        String inner = cgroupsPath == null || cgroupsPath.isEmpty() ? id : cgroupsPath;
        Path rel = Path.of("/").resolve(inner).normalize();
        if (!inner.startsWith("/")) rel = Path.of(own == null ? "/" : own).resolve(rel.toString().substring(1)).normalize();
        String relative = rel.toString().substring(1);
        return relative.isEmpty() ? mount : mount.resolve(relative);
    }

    /** The page sizes a hugetlb directory has files for: "hugetlb.2MB.limit_in_bytes" → "2MB". */
    static List<String> pageSizes(Path d, String suffix) {
        List<String> sizes = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d, "hugetlb.*" + suffix)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String size = name.substring("hugetlb.".length(), name.length() - suffix.length());
                if (!size.contains(".")) sizes.add(size); // not "2MB.rsvd"
            }
        } catch (IOException e) {
            throw new UncheckedIOException("list " + d, e);
        }
        sizes.sort(null);
        return sizes;
    }
}

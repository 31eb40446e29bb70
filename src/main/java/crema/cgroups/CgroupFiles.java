package crema.cgroups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** File operations shared by the cgroup managers. */
final class CgroupFiles {
    private CgroupFiles() {}

    /** Creates dir and its missing parents, returning the ones created, parents first. */
    static List<Path> mkdirs(Path dir) {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.isDirectory(p); p = p.getParent()) missing.add(0, p);
        List<Path> created = new ArrayList<>();
        for (Path p : missing) {
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

    static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + value + " to " + file, e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("read " + file, e);
        }
    }

    /** rmdir deepest first; a busy cgroup (its tasks still exiting) is retried for up to ~2 s. */
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
                    if (attempt >= 200) throw new UncheckedIOException("remove cgroup " + p, e);
                    sleep();
                } catch (IOException e) {
                    throw new UncheckedIOException("remove cgroup " + p, e);
                }
            }
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
            for (String line : Files.readAllLines(procSelfCgroup)) {
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
}

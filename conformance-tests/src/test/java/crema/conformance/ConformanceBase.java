package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Shared set-up: a private state root, a fresh bundle, unique ids, and leftover checks. */
abstract class ConformanceBase {
    private static final AtomicInteger SEQ = new AtomicInteger();

    @TempDir
    Path tmp;
    Crema crema;
    Bundle bundle;
    final List<String> ids = new ArrayList<>();

    @BeforeEach
    void setUp() {
        assumeTrue("root".equals(System.getProperty("user.name")), "conformance tests need root");
        crema = new Crema(tmp.resolve("state"));
        bundle = new Bundle(tmp.resolve("bundle"), crema);
    }

    @AfterEach
    void tearDown() {
        if (crema == null) return;
        // Each crema run costs a lot in the v2 lane's emulated VM: skip the gone ones.
        for (String id : ids) {
            if (Files.exists(crema.root.resolve(id))) crema.run("delete", "--force", id);
        }
    }

    String newId() {
        String id = "c" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        ids.add(id);
        return id;
    }

    /** Runs the bundle in the foreground and returns stdout, asserting exit 0. */
    String runOk() {
        bundle.save();
        return crema.run("run", "--bundle", bundle.dir.toString(), newId()).ok().out();
    }

    /** Runs the shell line in a detached container; returns its id (its init's pid: {@link #initPid}). */
    String started(String line) {
        bundle.shell(line).save();
        String id = newId();
        crema.run("run", "--detach", "--pid-file", tmp.resolve(id + ".pid").toString(), "--bundle", bundle.dir.toString(), id)
                .ok();
        return id;
    }

    /** The init's host pid, from the --pid-file of {@link #started}. */
    int initPid(String id) {
        try {
            return Integer.parseInt(Files.readString(tmp.resolve(id + ".pid")).trim());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Crema.Result run() {
        bundle.save();
        return crema.run("run", "--bundle", bundle.dir.toString(), newId());
    }

    /** `create` of the bundle fails with exit 1 and a message containing expected, leaving nothing behind. */
    Crema.Result assertCreateFailsCleanly(String expected) throws IOException {
        bundle.save();
        String id = newId();
        Crema.Result r = crema.run("create", "--bundle", bundle.dir.toString(), id);
        assertEquals(1, r.exit(), r.err());
        org.junit.jupiter.api.Assertions.assertTrue(r.err().contains(expected), r.err());
        assertNothingLeft(id);
        return r;
    }

    /** Nothing of the container is left: state dir, cgroup dirs, processes rooted in the bundle. */
    void assertNothingLeft(String id) throws IOException {
        assertFalse(Files.exists(crema.root.resolve(id)), "state dir of " + id + " left behind");
        for (Path h : cgroupHierarchies()) {
            assertEquals(List.of(), dirsNamed(h, id, 3), "cgroup dirs of " + id + " left behind");
        }
        assertEquals(List.of(), processesInCgroupNamed(id), "processes of " + id + " left behind");
    }

    /** Directories named name under root, to depth; cgroups that vanish meanwhile (other tests') are skipped. */
    static List<Path> dirsNamed(Path root, String name, int depth) throws IOException {
        List<Path> hits = new ArrayList<>();
        Files.walkFileTree(root, java.util.Set.of(), depth, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                if (dir.getFileName().toString().equals(name)) hits.add(dir);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return hits;
    }

    static List<Path> cgroupHierarchies() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/sys/fs/cgroup"))) {
            return s.filter(Files::isDirectory).toList();
        }
    }

    /** Host pids in a cgroup whose path has a component named id (the default cgroupsPath is the id). */
    static List<Long> processesInCgroupNamed(String id) {
        List<Long> pids = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "cgroup"))) {
                    if (line.endsWith("/" + id) || line.contains("/" + id + "/")) {
                        pids.add(p.pid());
                        break;
                    }
                }
            } catch (IOException e) {
                // gone meanwhile
            }
        });
        return pids;
    }
}

package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * checkpoint and restore through CRIU. Where `criu check` fails (CRIU 3.17 on
 * a kernel whose vDSO it does not know), crema must refuse in one line with
 * criu check's reason and leave the container running; where it passes (the
 * checkpoint lane's guest), a shell loop's counter goes on after restore from
 * where the dump stopped it.
 */
class CheckpointIT extends ConformanceBase {
    private static final long MIB = 1 << 20;
    /** The loop writes its count where the host reads it (rootfs/tmp), its stdio on the container's /dev/null. */
    private static final String COUNTER = "exec </dev/null >/dev/null 2>&1; i=0;"
            + " while :; do i=$((i+1)); echo $i > /tmp/counter.new; mv /tmp/counter.new /tmp/counter; sleep 0.2; done";

    /** The lane runs these tests with runc too (-Dcrema.reference=runc): crema's own wording is not asked of it. */
    private static void assumeCrema() {
        assumeTrue(System.getProperty("crema.reference") == null, "crema's own messages: not asked of the reference runtime");
    }

    private String counting() throws Exception {
        bundle.set("root.readonly", false);
        String id = started(COUNTER);
        awaitCounterAbove(2);
        return id;
    }

    private int counter() throws IOException {
        try {
            return Integer.parseInt(Files.readString(bundle.rootfs.resolve("tmp/counter")).trim());
        } catch (java.nio.file.NoSuchFileException | NumberFormatException e) {
            return -1;
        }
    }

    /** Waits (bounded) until the counter is above n; returns it. */
    private int awaitCounterAbove(int n) throws Exception {
        for (int i = 0; i < 600; i++) {
            int c = counter();
            if (c > n) return c;
            Thread.sleep(100);
        }
        throw new AssertionError("the counter did not go above " + n + " within 60 s (it is " + counter() + ")");
    }

    private Crema.Result restored(String id, Path images, String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("restore", "--detach", "--bundle",
                bundle.dir.toString(), "--image-path", images.toString(), "--pid-file", tmp.resolve(id + ".pid").toString()));
        args.addAll(java.util.List.of(more));
        args.add(id);
        return crema.run(args.toArray(String[]::new));
    }

    @Test
    void checkpointRefusesInOneLineWhereCriuCannotWorkAndTheContainerKeepsRunning() throws Exception {
        assumeCrema();
        String failure = CriuCheck.failure();
        assumeTrue(failure != null, "criu check passes here: the checkpoint itself is tested");
        String id = counting();
        Path images = tmp.resolve("images");
        Crema.Result r = crema.run("checkpoint", "--image-path", images.toString(), id);
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains("CRIU cannot work on this kernel") && r.err().contains(failure), r.err());
        assertEquals("running", Lifecycle.status(crema, id));
        int before = counter();
        awaitCounterAbove(before);
        assertFalse(Files.exists(images), "a refused checkpoint made its image dir");
        @SuppressWarnings("unchecked")
        Map<String, Object> annotations = (Map<String, Object>) ((Map<String, Object>) Json.parse(crema.run("features").ok().out()))
                .get("annotations");
        assertEquals(Map.of("io.crema.checkpoint.enabled", "false", "io.crema.checkpoint.unavailable", failure), annotations);
    }

    @Test
    void aRestoreThatFailsLeavesNothingBehind() throws Exception {
        assumeCrema();
        bundle.shell("sleep 60").save();
        String id = newId();
        Path images = Files.createDirectories(tmp.resolve("empty-images"));
        Crema.Result r = restored(id, images);
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("restore: criu restore of container " + id + " failed")
                && r.err().contains("see " + images.resolve("restore.log")), r.err());
        assertNothingLeft(id);
        assertFalse(Files.exists(crema.root.resolve(".criu-root-" + id)), "the rootfs bind for criu is left");
        Crema.Result missing = restored(id, tmp.resolve("no-such-images"));
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("--image-path"), missing.err());
        assertNothingLeft(id);
    }

    @Test
    void aRestoredContainerGoesOnCountingFromWhereItWasDumped() throws Exception {
        CriuCheck.assumeWorks();
        String id = counting();
        Path images = tmp.resolve("images");
        crema.run("checkpoint", "--image-path", images.toString(), id).ok();
        assertFalse(Files.exists(crema.root.resolve(id)), "checkpoint without --leave-running keeps the container");
        int dumped = counter();
        Thread.sleep(1000);
        assertEquals(dumped, counter(), "the loop ran on after its checkpoint");
        restored(id, images).ok();
        assertEquals("running", Lifecycle.status(crema, id));
        int after = awaitCounterAbove(dumped);
        assertTrue(after < dumped + 20, "counted from " + dumped + " to " + after + ": not from where it stopped");
        assertEquals(Integer.toString(initPid(id)), Lifecycle.state(crema, id).get("pid").toString());
        // An ordinary container: exec, kill, delete.
        assertTrue(crema.run("exec", id, "cat", "/tmp/counter").ok().out().trim().matches("\\d+"));
        crema.run("kill", id, "KILL").ok();
        Lifecycle.awaitStatus(crema, id, "stopped");
        crema.run("delete", id).ok();
        assertNothingLeft(id);
    }

    @Test
    void leaveRunningKeepsTheContainerAndItsImagesRestoreTheMomentOfTheDump() throws Exception {
        CriuCheck.assumeWorks();
        String id = counting();
        Path images = tmp.resolve("images");
        crema.run("checkpoint", "--leave-running", "--image-path", images.toString(), id).ok();
        int dumped = counter();
        assertEquals("running", Lifecycle.status(crema, id));
        int later = awaitCounterAbove(dumped + 10);
        crema.run("delete", "--force", id).ok();
        Files.delete(bundle.rootfs.resolve("tmp/counter")); // what the restored loop writes, not the killed one's last
        restored(id, images).ok();
        int first = awaitCounterAbove(-1);
        assertTrue(first < later, "the restore did not go back to the dump: dumped at " + dumped + ", killed at "
                + later + ", restored at " + first);
        assertTrue(awaitCounterAbove(first) > first);
    }

    @Test
    void aPreDumpThenACheckpointOnItRestore() throws Exception {
        CriuCheck.assumeWorks();
        String id = counting();
        Path pre = tmp.resolve("pre");
        Path images = tmp.resolve("images");
        crema.run("checkpoint", "--pre-dump", "--image-path", pre.toString(), id).ok();
        assertEquals("running", Lifecycle.status(crema, id));
        int c = awaitCounterAbove(counter());
        crema.run("checkpoint", "--parent-path", "../pre", "--image-path", images.toString(), id).ok();
        assertTrue(Files.isSymbolicLink(images.resolve("parent")), "the dump did not link its parent images");
        int dumped = counter();
        assertTrue(dumped >= c);
        restored(id, images).ok();
        assertTrue(awaitCounterAbove(dumped) < dumped + 20);
    }

    @Test
    void aRestoreInTheForegroundWaitsForTheContainerAndExitsWithItsCode() throws Exception {
        CriuCheck.assumeWorks();
        String id = counting();
        Path images = tmp.resolve("images");
        crema.run("checkpoint", "--image-path", images.toString(), id).ok();
        int dumped = counter();
        // restore waits; the line kills the restored loop once it counts again, and reports restore's exit code
        Crema.Result r = crema.shell("$CREMA restore --bundle " + bundle.dir + " --image-path " + images + " " + id + " & r=$!;"
                + " i=0; while [ \"$(cat " + bundle.rootfs.resolve("tmp/counter") + ")\" -le " + dumped + " ]; do"
                + "   i=$((i+1)); [ $i -le 400 ] || { echo 'the restored loop did not count within 40 s'; exit 2; }; sleep 0.1; done;"
                + " $CREMA kill " + id + " KILL; wait $r; echo restore-exit=$?");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("restore-exit=137"), r.out() + r.err());
        assertNothingLeft(id);
    }

    @Test
    void aMemoryLimitedContainerIsRestoredUnderItsLimit() throws Exception {
        CriuCheck.assumeWorks();
        bundle.set("linux.resources.memory", Map.of("limit", 64 * MIB));
        String id = counting();
        Path images = tmp.resolve("images");
        crema.run("checkpoint", "--image-path", images.toString(), id).ok();
        int dumped = counter();
        restored(id, images).ok();
        int pid = initPid(id);
        assertEquals(Long.toString(64 * MIB),
                CgroupFs.read(pid, "memory", CgroupFs.V2 ? "memory.max" : "memory.limit_in_bytes"));
        assertTrue(CgroupFs.read(pid, "memory", "cgroup.procs").lines().anyMatch(l -> l.equals(Integer.toString(pid))),
                "the restored init is not in the container's memory cgroup");
        assertTrue(awaitCounterAbove(dumped) < dumped + 20);
    }
}

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

    /** The counter, and each count on the terminal and on /dev/console: a container on a pty. */
    private static final String TICKS = "i=0; while :; do i=$((i+1)); echo $i > /tmp/counter.new; mv /tmp/counter.new /tmp/counter;"
            + " echo tick-$i; echo console-$i > /dev/console; sleep 0.2; done";

    /**
     * A container on a pty whose master went to a console socket, as the engines run one, is dumped and restored
     * detached with a new console socket: the restored loop goes on counting on the new pty, which is also its
     * /dev/console, and the old pty saw nothing after the dump.
     */
    @Test
    void aContainerOnAPtyIsRestoredOnANewPtySentToTheConsoleSocket() throws Exception {
        CriuCheck.assumeWorks();
        bundle.set("root.readonly", false);
        bundle.set("process.terminal", true);
        bundle.shell(TICKS).save();
        ConsoleProbe before = ConsoleProbe.start(tmp, "before", null);
        ConsoleProbe after = ConsoleProbe.start(tmp, "after", null);
        String id = newId();
        crema.run("create", "--console-socket", before.socket().toString(), "--bundle", bundle.dir.toString(), id).ok();
        crema.run("start", id).ok();
        awaitCounterAbove(2);
        Path images = tmp.resolve("images");
        crema.run("checkpoint", "--image-path", images.toString(), id).ok();
        int dumped = counter();
        restored(id, images, "--console-socket", after.socket().toString()).ok();
        int counted = awaitCounterAbove(dumped + 2);
        assertTrue(counted < dumped + 20, "counted from " + dumped + " to " + counted + ": not from where it stopped");
        crema.run("kill", id, "KILL").ok();
        Lifecycle.awaitStatus(crema, id, "stopped");
        String restoredPty = after.await();
        assertTrue(restoredPty.contains("tick-" + (dumped + 1) + "\n") && restoredPty.contains("console-" + (dumped + 1) + "\n"),
                "the restored loop did not write on the new pty and its /dev/console: " + restoredPty);
        String dumpedPty = before.await();
        assertTrue(dumpedPty.contains("tick-" + dumped + "\n") || dumpedPty.contains("tick-" + (dumped - 1) + "\n"), dumpedPty);
        assertFalse(dumpedPty.contains("tick-" + (dumped + 1) + "\n"), "the dumped loop went on: " + dumpedPty);
        crema.run("delete", id).ok();
        assertNothingLeft(id);
    }

    /**
     * A container on a pty (crema run in the foreground on a terminal of script(1)) is dumped, and restored with
     * --shell-job in the foreground on another terminal: the restored loop goes on counting there.
     */
    @Test
    void aContainerOnAPtyIsRestoredAsAShellJobOnTheTerminalOfTheRestore() throws Exception {
        CriuCheck.assumeWorks();
        bundle.set("root.readonly", false);
        bundle.set("process.terminal", true);
        bundle.shell(TICKS).save();
        String id = newId();
        Path images = tmp.resolve("images");
        Path counterFile = bundle.rootfs.resolve("tmp/counter");
        // each wait ends when the counter passes the mark, or when the crema it waits on ended, saying what it printed
        String awaitCounter = " i=0; while [ \"$(cat " + counterFile + " 2>/dev/null || echo 0)\" -le %s ]; do"
                + " kill -0 $%s 2>/dev/null || { echo \"crema ended: $(cat %s)\"; exit 2; };"
                + " i=$((i+1)); [ $i -le 200 ] || { echo 'the loop did not count past %s within 20 s'; exit 2; }; sleep 0.1; done;";
        Path runOut = tmp.resolve("run.out");
        Path restoreOut = tmp.resolve("restore.out");
        Crema.Result r = crema.shell("script -qefc \"$CREMA run --bundle " + bundle.dir + " " + id + "\" /dev/null > "
                + runOut + " 2>&1 & run=$!;" + awaitCounter.formatted(2, "run", runOut, 2)
                + " $CREMA checkpoint --shell-job --image-path " + images + " " + id + " || exit 3; wait $run;"
                + " dumped=$(cat " + counterFile + "); echo dumped=$dumped;"
                + " script -qefc \"$CREMA restore --shell-job --bundle " + bundle.dir + " --image-path " + images + " " + id
                + "\" /dev/null > " + restoreOut + " 2>&1 & r=$!;"
                + awaitCounter.formatted("$((dumped + 2))", "r", restoreOut, "$dumped") + " echo counted=$(cat " + counterFile + ");"
                + " $CREMA kill " + id + " KILL; wait $r; echo restore-exit=$?");
        String out = r.out() + r.err();
        assertEquals(0, r.exit(), out + criuErrors(images.resolve("dump.log")) + criuErrors(images.resolve("restore.log")));
        int dumped = Integer.parseInt(out.replaceAll("(?s).*dumped=(\\d+).*", "$1"));
        int counted = Integer.parseInt(out.replaceAll("(?s).*counted=(\\d+).*", "$1"));
        assertTrue(counted < dumped + 20, "counted from " + dumped + " to " + counted + ": not from where it stopped");
        assertTrue(out.contains("restore-exit=137"), out);
        String restored = Files.readString(restoreOut);
        // the restored loop's lines, through a terminal (its output processing makes \n \r\n)
        assertTrue(restored.contains("tick-" + (dumped + 1) + "\r\n"), "the restored loop did not print on the"
                + " restore's terminal: " + restored);
        assertFalse(Files.readString(runOut).contains("tick-" + (dumped + 2) + "\r"),
                "the dumped loop went on printing");
        assertNothingLeft(id);
    }

    /**
     * Lazy migration, as runc's own test runs it: checkpoint --lazy-pages serves the memory from its page server and
     * says so on --status-fd; criu lazy-pages fetches it for restore --lazy-pages, under another id since the dumped
     * container is gone only once its last page went. The restored loop goes on counting, then the dump ends and its
     * container with it.
     */
    @Test
    void aLazyRestoreFetchesThePagesFromTheDumpServingThem() throws Exception {
        CriuCheck.assumeWorks();
        CriuCheck.assumeFeature("uffd-noncoop");
        String id = counting();
        String restoredId = newId();
        Path images = tmp.resolve("images");
        Path daemon = tmp.resolve("lazy-pages");
        Files.createDirectories(daemon);
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path counterFile = bundle.rootfs.resolve("tmp/counter");
        Path status = tmp.resolve("status");
        Path checkpointExit = tmp.resolve("checkpoint.exit");
        Crema.Result r = crema.shell("mkfifo " + status + ";"
                + " ($CREMA checkpoint --lazy-pages --page-server 127.0.0.1:" + port + " --status-fd 3 --image-path " + images
                + " " + id + " 3>" + status + "; echo checkpoint-exit=$? > " + checkpointExit + ") &"
                + " ready=$(timeout 120 head -c1 " + status + " | od -An -tx1 | tr -d ' \\n'); echo ready=$ready;"
                + " dumped=$(cat " + counterFile + "); echo dumped=$dumped; [ \"$ready\" = 00 ] || exit 2;"
                + " " + CriuCheck.binary() + " lazy-pages --page-server --address 127.0.0.1 --port " + port + " --images-dir "
                + images + " --work-dir " + daemon + " --log-file lazy-pages.log -v4 & lp=$!;"
                + " $CREMA restore --detach --lazy-pages --bundle " + bundle.dir + " --image-path " + images
                + " --work-path " + daemon + " --pid-file " + tmp.resolve(restoredId + ".pid") + " " + restoredId + " || exit 3;"
                + " i=0; while [ \"$(cat " + counterFile + ")\" -le $((dumped + 2)) ]; do i=$((i+1));"
                + " [ $i -le 600 ] || { echo 'the restored loop did not count within 60 s'; exit 4; }; sleep 0.1; done;"
                + " echo counted=$(cat " + counterFile + ");"
                + " i=0; while [ ! -s " + checkpointExit + " ]; do i=$((i+1));"
                + " [ $i -le 600 ] || { echo 'the lazy dump did not end within 60 s'; exit 5; }; sleep 0.1; done;"
                + " cat " + checkpointExit + "; wait $lp; echo lazy-pages-exit=$?");
        String out = r.out() + r.err();
        assertEquals(0, r.exit(), out + criuErrors(images.resolve("dump.log")) + criuErrors(daemon.resolve("lazy-pages.log"))
                + criuErrors(daemon.resolve("restore.log")));
        assertTrue(out.contains("ready=00"), out);
        int dumped = Integer.parseInt(out.replaceAll("(?s).*dumped=(\\d+).*", "$1"));
        int counted = Integer.parseInt(out.replaceAll("(?s).*counted=(\\d+).*", "$1"));
        assertTrue(counted < dumped + 20, "counted from " + dumped + " to " + counted + ": not from where it stopped");
        assertTrue(out.contains("checkpoint-exit=0") && out.contains("lazy-pages-exit=0"), out);
        assertFalse(Files.exists(crema.root.resolve(id)), "the lazily dumped container is still there");
        assertEquals("running", Lifecycle.status(crema, restoredId));
        crema.run("kill", restoredId, "KILL").ok();
        Lifecycle.awaitStatus(crema, restoredId, "stopped");
        crema.run("delete", restoredId).ok();
        assertNothingLeft(restoredId);
        // runc 1.1 leaves the lazily dumped container's cgroup behind; crema leaves nothing
        if (System.getProperty("crema.reference") == null) assertNothingLeft(id);
    }

    /** CRIU's error lines and the lines just before them, for a failure message. */
    private static String criuErrors(Path log) throws IOException {
        if (!Files.exists(log)) return "";
        java.util.List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        StringBuilder out = new StringBuilder("\n" + log + ":\n");
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("Error (")) {
                for (int j = Math.max(0, i - 8); j <= i; j++) out.append(lines.get(j)).append('\n');
            }
        }
        return out.toString();
    }
}

package crema.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The part of the AOT training that runs real containers: only as root, with a
 * static busybox for the rootfs. The success paths of create, start, exec and
 * delete are most of what a container engine calls, and training them (classes
 * and method profiles) takes ~25 ms off `run`. A failure here only makes the
 * cache smaller: the build goes on, and every container is deleted.
 */
final class TrainingContainers {
    private final PrintStream sink;
    private final String root;
    private final Path bundle;
    private final String prefix = "crema-training-" + ProcessHandle.current().pid() + "-";
    private int next;

    private TrainingContainers(PrintStream sink, String root, Path bundle) {
        this.sink = sink;
        this.root = root;
        this.bundle = bundle;
    }

    /**
     * null when this machine cannot run the training containers (not root, no
     * busybox, opted out). With a launcher, the spec is written by another crema.
     */
    static TrainingContainers prepare(PrintStream sink, Path tmp, Path launcher) throws IOException {
        if (!"root".equals(System.getProperty("user.name")) || "0".equals(System.getenv("CREMA_TRAIN_CONTAINERS"))) {
            return null;
        }
        Path busybox = null;
        for (String b : List.of("/bin/busybox", "/usr/bin/busybox")) if (Files.isExecutable(Path.of(b))) busybox = Path.of(b);
        if (busybox == null) return null;
        Path bundle = Files.createDirectories(tmp.resolve("containers"));
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(busybox, bin.resolve("busybox"));
        for (String tool : List.of("sh", "true", "sleep")) Files.createSymbolicLink(bin.resolve(tool), Path.of("busybox"));
        if (launcher == null) {
            Main.run(sink, sink, "spec", "--bundle", bundle.toString());
        } else if (!spawn(launcher, "spec", "--bundle", bundle.toString())) {
            return null;
        }
        return new TrainingContainers(sink, tmp.resolve("containers-state").toString(), bundle);
    }

    private void config(String args) throws IOException {
        Path config = bundle.resolve("config.json");
        String spec = Files.readString(config).replace("\"terminal\": true", "\"terminal\": false");
        int start = spec.indexOf("\"args\": [") + "\"args\": [".length();
        Files.writeString(config, spec.substring(0, start) + args + spec.substring(spec.indexOf(']', start)));
    }

    private int crema(String... argv) {
        String[] all = new String[argv.length + 2];
        all[0] = "--root";
        all[1] = root;
        System.arraycopy(argv, 0, all, 2, argv.length);
        return Main.run(sink, sink, all);
    }

    /** What engines do most: run, create, start, state, exec (foreground, detached, --process), kill, delete. */
    void everyCommand() throws IOException {
        String id = prefix + next++;
        try {
            config("\"true\"");
            crema("run", "--bundle", bundle.toString(), id);
            crema("delete", "--force", id);
            config("\"sleep\", \"300\"");
            Path pidFile = bundle.resolve("pid");
            crema("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id);
            crema("start", id);
            crema("state", id);
            crema("exec", id, "true");
            Path process = bundle.resolve("process.json");
            Files.writeString(process, "{\"args\": [\"true\"], \"cwd\": \"/\", \"env\": [\"PATH=/bin\"]}");
            crema("exec", "--process", process.toString(), "--detach", "--pid-file", pidFile.toString(), id);
            crema("kill", id, "KILL");
            waitStopped(id);
            crema("delete", id);
        } finally {
            crema("delete", "--force", id);
            reapChildren();
        }
    }

    /** The lean commands on a container that another crema created (so create's classes stay out of this cache). */
    void leanCommands(Path launcher) throws IOException {
        String id = prefix + next++;
        config("\"sleep\", \"300\"");
        try {
            if (!spawn(launcher, "--root", root, "create", "--bundle", bundle.toString(), id)) return;
            crema("state", id);
            crema("start", id);
            crema("state", id);
            crema("kill", id, "0");
            crema("list");
            crema("kill", id, "KILL");
            waitStopped(id);
            crema("delete", id);
        } finally {
            crema("delete", "--force", id);
            reapChildren();
        }
    }

    /** Runs the launcher with crema's own spawn: ProcessBuilder would bring its classes and a logger into the cache. */
    private static boolean spawn(Path launcher, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("crema"));
        argv.addAll(List.of(args));
        return crema.sys.Sys.waitpid(crema.sys.Sys.spawn(launcher.toString(), argv, List.of()), 0)[1] == 0;
    }

    /**
     * create made this JVM a child subreaper, so the training's container inits end
     * as its zombies; unreaped, they keep their v1 cgroups busy and delete cannot
     * remove them (the build used to leave crema-training-* cgroups behind).
     */
    private static void reapChildren() {
        try {
            while (crema.sys.Sys.waitpid(-1, crema.sys.Sys.WNOHANG)[0] > 0) {
                // one more zombie gone
            }
        } catch (crema.sys.SysException e) {
            // ECHILD: none left
        }
    }

    private void waitStopped(String id) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        PrintStream p = new PrintStream(out);
        for (int i = 0; i < 200; i++) {
            out.reset();
            reapChildren();
            Main.run(p, sink, "--root", root, "state", id);
            if (out.toString().contains("\"stopped\"")) return;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

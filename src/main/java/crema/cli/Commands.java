package crema.cli;

import crema.cli.Args.Flag;
import java.util.ArrayList;
import java.util.List;

/**
 * Every command and every flag crema accepts, in one place: the parser reads
 * the flags from here, and --help, the man pages and the bash completion are
 * written from the same records, so none of them can drift from the others.
 */
final class Commands {
    /**
     * A command: its name, one-line summary, what follows its flags, its flags (with --help last), more text,
     * and whether its flags end at the first argument (exec and ps: what follows is another program's).
     */
    record Command(String name, String summary, String arguments, List<Flag> flags, String description,
            boolean flagsEndAtId) {
        Command withFlagsEndingAtId() {
            return new Command(name, summary, arguments, flags, description, true);
        }
    }

    static final Flag HELP = Flag.bool("help", "h").means("show help");

    private static final Flag BUNDLE = Flag.value("bundle", "b").byDefault(".").completes("dir")
            .means("the bundle directory, holding config.json and the root filesystem");
    private static final Flag CONSOLE_SOCKET = Flag.value("console-socket").completes("file")
            .means("an AF_UNIX socket that receives the master of the container's pseudoterminal");
    private static final Flag PID_FILE = Flag.value("pid-file").completes("file")
            .means("write the process's pid to this file");
    private static final Flag PRESERVE_FDS = Flag.value("preserve-fds").byDefault("0")
            .means("pass N more file descriptors from 3 on to the process (after $LISTEN_FDS)");
    private static final Flag NO_PIVOT = Flag.bool("no-pivot")
            .means("move the root with MS_MOVE and chroot instead of pivot_root (for a rootfs on a ramdisk)");
    private static final Flag NO_NEW_KEYRING = Flag.bool("no-new-keyring")
            .means("keep the caller's session keyring instead of making a new one for the container");
    private static final Flag DETACH = Flag.bool("detach", "d").means("return once the process runs instead of waiting for it");
    private static final Flag FORMAT = Flag.value("format", "f").byDefault("table").completes("table json")
            .means("output format: table or json");

    static final List<Flag> GLOBAL = List.of(
            Flag.bool("debug").means("log a line for each step of the command"),
            Flag.value("log").completes("file").means("append crema's log lines to this file (default: stderr)"),
            Flag.value("log-format").byDefault("text").completes("text json").means("log line format: text or json"),
            Flag.value("root").completes("dir")
                    .means("directory for the containers' state (best on a tmpfs); default /run/crema,"
                            + " $XDG_RUNTIME_DIR/crema for a non-root user"),
            Flag.value("criu").byDefault("criu").completes("file").means("the criu executable checkpoint and restore run"),
            Flag.bool("systemd-cgroup").means("use systemd for cgroups: each container a transient unit made over D-Bus (cgroupsPath slice:prefix:name)"),
            Flag.value("rootless").completes("true false auto").means("accepted for runc compatibility; ignored"),
            HELP,
            Flag.bool("version", "v").means("print the version"));

    static final Command CREATE = command("create", "create a container from a bundle", "<container-id>",
            List.of(BUNDLE, CONSOLE_SOCKET, PID_FILE, NO_PIVOT, NO_NEW_KEYRING, PRESERVE_FDS), """
            Creates the container described by the bundle's config.json: its namespaces, mounts and cgroups
            are made and its init process waits; "crema start" then runs the process config.json names.
            The container id must be unique under --root.""");
    static final Command START = command("start", "run the process of a created container", "<container-id>",
            List.of(), """
            Lets the init of a container made by "crema create" exec the process of its config.json.""");
    static final Command RUN = command("run", "create and start a container", "<container-id>",
            List.of(BUNDLE, CONSOLE_SOCKET, DETACH, Flag.bool("keep").means("keep the container after its process exits"),
                    PID_FILE, Flag.bool("no-subreaper").means("accepted for runc compatibility; crema always reaps"),
                    NO_PIVOT, NO_NEW_KEYRING, PRESERVE_FDS), """
            Creates a container from the bundle and starts it. In the foreground crema waits for the
            process, proxies its terminal when config.json asks for one, exits with its exit code and
            deletes the container; with --detach it returns once the process runs.""");
    static final Command EXEC = command("exec", "run one more process in a running container",
            "<container-id> <command> [args...]  |  --process process.json <container-id>",
            List.of(CONSOLE_SOCKET, Flag.value("cwd").means("working directory of the process in the container"),
                    Flag.value("env", "e").means("set an environment variable NAME=VALUE (repeatable)"),
                    Flag.bool("tty", "t").means("give the process a pseudoterminal"),
                    Flag.value("user", "u").means("run as UID[:GID]"),
                    Flag.value("additional-gids", "g").means("add a supplementary group id (repeatable)"),
                    Flag.value("process", "p").completes("file").means("a runtime-spec process JSON file describing the process"),
                    DETACH, PID_FILE, Flag.value("process-label").means("SELinux label of the process"),
                    Flag.value("apparmor").means("AppArmor profile of the process"),
                    Flag.bool("no-new-privs").means("set no_new_privs for the process"),
                    Flag.value("cap", "c").means("add a capability, within the container's bounding set (repeatable)"),
                    PRESERVE_FDS), """
            The process joins the container's namespaces and cgroup and gets its seccomp filter. Flags end
            at the container id: what follows is the command and its own arguments. crema exits with the
            process's exit code, or 255 when crema itself fails.""").withFlagsEndingAtId();
    static final Command STATE = command("state", "print the state of a container as JSON", "<container-id>",
            List.of(), null);
    static final Command KILL = command("kill", "send a signal to a container's init (default: SIGTERM)",
            "<container-id> [signal]",
            List.of(Flag.bool("all", "a").means("send it to every process of the container's cgroup")), """
            The signal is a name (KILL, SIGKILL) or a number.""");
    static final Command DELETE = command("delete", "delete a stopped container and what it holds", "<container-id>",
            List.of(Flag.bool("force", "f").means("kill a running container with SIGKILL first")), null);
    static final Command PAUSE = command("pause", "freeze every process of a container", "<container-id>",
            List.of(), null);
    static final Command RESUME = command("resume", "thaw the processes of a paused container", "<container-id>",
            List.of(), null);
    static final Command PS = command("ps", "list the processes of a container", "<container-id> [ps options]",
            List.of(FORMAT), """
            The table is ps(1)'s (default options -ef) with only the container's processes; json prints
            their pids. Flags end at the container id: what follows goes to ps.""").withFlagsEndingAtId();
    static final Command EVENTS = command("events", "print a container's statistics and OOM events as JSON lines",
            "<container-id>",
            List.of(Flag.value("interval").byDefault("5s").means("time between two statistics events"),
                    Flag.bool("stats").means("print the statistics once and exit")), null);
    static final Command UPDATE = command("update", "change the resource limits of a running container", "<container-id>",
            List.of(Flag.value("resources", "r").completes("file")
                            .means("a JSON file with a linux.resources object (- for stdin); the other flags are then ignored"),
                    Flag.value("blkio-weight").means("block I/O weight (cgroup v1: 10 to 1000; 0 leaves it)"),
                    Flag.value("cpu-period").means("CPU CFS period in microseconds"),
                    Flag.value("cpu-quota").means("CPU time in microseconds the container may use each period"),
                    Flag.value("cpu-burst").means("CPU CFS burst in microseconds"),
                    Flag.value("cpu-share").means("CPU shares, a weight relative to other cgroups"),
                    Flag.value("cpu-rt-period").means("realtime period in microseconds"),
                    Flag.value("cpu-rt-runtime").means("realtime runtime in microseconds each period"),
                    Flag.value("cpuset-cpus").means("CPUs the container may run on (0-3,5)"),
                    Flag.value("cpuset-mems").means("memory nodes the container may use"),
                    Flag.value("cpu-idle").means("1 makes the cgroup SCHED_IDLE (cgroup v2)"),
                    Flag.value("kernel-memory").means("ignored, with a warning (as in runc)"),
                    Flag.value("kernel-memory-tcp").means("ignored, with a warning (as in runc)"),
                    Flag.value("memory").means("memory limit in bytes (k, m, g suffixes)"),
                    Flag.value("memory-reservation").means("memory soft limit in bytes"),
                    Flag.value("memory-swap").means("memory plus swap limit in bytes; -1 for unlimited"),
                    Flag.value("pids-limit").means("most processes the container may have"),
                    Flag.value("l3-cache-schema").means("Intel RDT L3 schema (refused: not supported)"),
                    Flag.value("mem-bw-schema").means("Intel RDT memory bandwidth schema (refused: not supported)")),
            null);
    private static final Flag IMAGE_PATH = Flag.value("image-path").completes("dir")
            .means("CRIU's image directory (default: checkpoint in the current directory)");
    private static final Flag WORK_PATH = Flag.value("work-path").completes("dir")
            .means("directory for CRIU's logs and work files (default: the image path)");
    private static final Flag MANAGE_CGROUPS_MODE = Flag.value("manage-cgroups-mode").completes("soft full strict ignore")
            .means("CRIU's cgroups mode: soft, full, strict or ignore (default: CRIU's, soft)");
    private static final Flag EMPTY_NS = Flag.value("empty-ns").completes("network")
            .means("make this namespace (network) empty instead of saving it");
    private static final Flag AUTO_DEDUP = Flag.bool("auto-dedup").means("punch holes in parent images a dump made obsolete");
    private static final Flag LAZY_PAGES = Flag.bool("lazy-pages").means("checkpoint: serve the memory from --page-server until a lazy restore"
            + " has it; restore: fault it in from criu lazy-pages");
    /** The CRIU options checkpoint and restore share, as runc lists them. */
    private static final List<Flag> CRIU_FLAGS = List.of(IMAGE_PATH, WORK_PATH,
            Flag.bool("tcp-established").means("allow open TCP connections"),
            Flag.bool("ext-unix-sk").means("allow external unix sockets"),
            Flag.bool("shell-job").means("allow a shell job (a process whose session or terminal is outside)"),
            Flag.bool("file-locks").means("save and restore file locks"),
            MANAGE_CGROUPS_MODE, EMPTY_NS, AUTO_DEDUP, LAZY_PAGES);
    static final Command CHECKPOINT = command("checkpoint", "save a running container to disk with CRIU", "<container-id>",
            concat(CRIU_FLAGS, List.of(
                    Flag.value("parent-path").completes("dir").means("a pre-dump's images, relative to the image path"),
                    Flag.bool("leave-running").means("leave the container running after the checkpoint"),
                    Flag.bool("pre-dump").means("only dump the memory, for a later checkpoint with --parent-path"),
                    Flag.value("page-server").means("ADDRESS:PORT of a CRIU page server to send the pages to"),
                    Flag.value("status-fd").means("with --lazy-pages: an fd CRIU writes a NUL to once it serves the pages"))), """
            CRIU dumps the container's processes into --image-path; without --leave-running the container is
            then deleted. crema first runs "criu check": on a kernel CRIU cannot work with, it refuses, naming
            criu check's error, and the container keeps running. A failed dump leaves it running too.""");
    static final Command RESTORE = command("restore", "restore a container from a checkpoint", "<container-id>",
            concat(CRIU_FLAGS, List.of(BUNDLE, CONSOLE_SOCKET, DETACH, PID_FILE,
                    Flag.bool("no-subreaper").means("accepted for runc compatibility; crema always reaps"),
                    Flag.bool("no-pivot").means("accepted for runc compatibility; CRIU sets up the root"),
                    Flag.value("lsm-profile").means("refused: crema applies no LSM"),
                    Flag.value("lsm-mount-context").means("refused: crema applies no LSM"))), """
            Makes the container of the bundle's config.json (state, cgroups with their limits) and has CRIU
            restore its processes from --image-path, the bundle's bind mounts in place of those saved. In the
            foreground crema waits for the restored process, exits with its code and deletes the container;
            with --detach it returns once it runs. It is then an ordinary container (state, exec, kill,
            delete). A failed restore leaves no state, cgroup or process.""");
    static final Command LIST = command("list", "list the containers under --root", "",
            List.of(FORMAT, Flag.bool("quiet", "q").means("print only the container ids")), null);
    static final Command FEATURES = command("features", "print the features JSON (what this crema implements)", "",
            List.of(), null);
    static final Command SPEC = command("spec", "write a default config.json for a rootfs/ beside it", "",
            List.of(Flag.value("bundle", "b").byDefault(".").completes("dir").means("directory to write config.json in"),
                    Flag.bool("rootless").means("a configuration for a non-root user: a user namespace mapping root to the caller, no network namespace")),
            null);
    static final Command HELP_COMMAND = command("help", "print the help of crema or of one command", "[command]",
            List.of(), null);

    /** In the order crema --help lists them. */
    static final List<Command> ALL = List.of(CREATE, START, RUN, EXEC, STATE, KILL, DELETE, PAUSE, RESUME, PS, EVENTS,
            CHECKPOINT, RESTORE, UPDATE, LIST, FEATURES, SPEC, HELP_COMMAND);

    private Commands() {}

    private static Command command(String name, String summary, String arguments, List<Flag> flags, String description) {
        List<Flag> all = new ArrayList<>(flags);
        all.add(HELP);
        return new Command(name, summary, arguments, List.copyOf(all), description, false);
    }

    private static List<Flag> concat(List<Flag> a, List<Flag> b) {
        List<Flag> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The command of that name (`h` is help's alias), or null. */
    static Command named(String name) {
        if (name.equals("h")) return HELP_COMMAND;
        for (Command c : ALL) if (c.name().equals(name)) return c;
        return null;
    }
}

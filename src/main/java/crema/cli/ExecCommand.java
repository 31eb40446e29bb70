package crema.cli;

import crema.lifecycle.Exec;
import crema.plan.ExecPlanner;
import crema.state.StateStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * `exec [flags] <id> <command> [args...]` or `exec --process FILE <id>`: runc's
 * flags, which end at the container id (what follows is the command's). In
 * the foreground it waits and exits with the process's code; with --detach it
 * returns once the process runs. A failure of crema itself exits 255 (Main).
 */
final class ExecCommand {
    int run(List<String> argv, Globals g) {
        Args a = Args.parse(argv, Commands.EXEC);
        List<String> pos = a.positionals();
        if (pos.isEmpty()) throw new UsageException("\"exec\" requires a container id and, without --process, a command");
        String id = pos.get(0);
        StateStore.checkId(id);
        String processFile = a.get("process");
        if (processFile != null && pos.size() > 1) {
            throw new UsageException("exec: --process " + processFile + " and a command cannot both be given");
        }
        if (processFile == null && pos.size() < 2) throw new UsageException("exec: a command is required (or --process FILE)");
        List<Long> gids = new ArrayList<>();
        for (String gid : a.all("additional-gids")) {
            try {
                gids.add(Long.parseLong(gid));
            } catch (NumberFormatException e) {
                throw new UsageException("invalid value \"" + gid + "\" for flag -additional-gids: must be a number");
            }
        }
        ExecPlanner.Flags flags = new ExecPlanner.Flags(pos.subList(1, pos.size()), a.has("tty"), a.get("cwd"),
                a.all("env"), a.get("user"), gids, a.all("cap"), a.has("no-new-privs"), a.get("apparmor"),
                a.get("process-label"));
        Exec.Options o = new Exec.Options(id, processFile == null ? null : Path.of(processFile), flags,
                a.get("pid-file") == null ? null : Path.of(a.get("pid-file")), a.intValue("preserve-fds", 0),
                CreateCommand.inheritedFds(), a.get("console-socket"), a.has("detach"));
        Exec.Started s = new Exec(new StateStore(g.root()), Globals.libdir().resolve("crema-init"), g.log()::warn).start(o);
        if (a.has("detach")) return 0;
        try (Foreground f = Foreground.attach(s.pid(), s.consoleMaster())) {
            return f.waitForExit();
        }
    }
}

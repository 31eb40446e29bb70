package crema.cli;

import crema.cgroups.CgroupManager;
import crema.lifecycle.Activation;
import crema.lifecycle.Create;
import crema.lifecycle.CreateOptions;
import crema.lifecycle.Delete;
import crema.lifecycle.NotifyProxy;
import crema.lifecycle.Start;
import crema.state.StateStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** `create` and `run`: runc's flags; `run` also starts and, unless --detach, waits and deletes. */
final class CreateCommand {
    int run(List<String> argv, Globals g, boolean run) {
        String command = run ? "run" : "create";
        Args a = Args.parse(argv, run ? Commands.RUN : Commands.CREATE);
        String id = a.id(command, 1, 1);
        CreateOptions o = new CreateOptions(id, Path.of(a.get("bundle")),
                a.get("pid-file") == null ? null : Path.of(a.get("pid-file")), a.get("console-socket"),
                a.has("no-pivot"), a.has("no-new-keyring"), a.intValue("preserve-fds", 0), g.systemdCgroup(),
                inheritedFds(), run && !a.has("detach"), Activation.listenFds(System.getenv(), ProcessHandle.current().pid()),
                System.getenv("NOTIFY_SOCKET"));
        StateStore store = new StateStore(g.root());
        CgroupManager cgroups = CgroupManager.forHost(g.systemdCgroup());
        Create.Created c = new Create(store, cgroups, Globals.libdir().resolve("crema-init")).create(o);
        if (!run) return 0;
        int code;
        try (NotifyProxy notify = NotifyProxy.bind(store, id, o.notifySocket())) {
            if (a.has("detach")) {
                start(store, cgroups, id, g);
                if (notify != null) notify.forwardReady(c.record());
                return 0;
            }
            // We are the init's subreaper (create made us one), so it is our child now.
            try (Foreground f = Foreground.attach(c.record().pid(), c.consoleMaster())) {
                start(store, cgroups, id, g);
                if (notify != null) Thread.ofPlatform().daemon().start(() -> notify.forwardReady(c.record()));
                code = f.waitForExit();
            }
        }
        if (!a.has("keep")) new Delete(store, cgroups, g.log()::warn).delete(id, true);
        return code;
    }

    private static void start(StateStore store, CgroupManager cgroups, String id, Globals g) {
        try {
            new Start(store, g.log()::warn).start(id);
        } catch (RuntimeException e) {
            new Delete(store, cgroups, g.log()::warn).delete(id, true);
            throw e;
        }
    }

    /** The fds >= 3 the caller passed ({@link InheritedFds}); null when unknown (tests). */
    static Set<Integer> inheritedFds() {
        return InheritedFds.get();
    }
}

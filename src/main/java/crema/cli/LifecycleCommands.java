package crema.cli;

import crema.cgroups.CgroupManager;
import crema.lifecycle.Delete;
import crema.lifecycle.Kill;
import crema.lifecycle.NotifyProxy;
import crema.lifecycle.Signals;
import crema.lifecycle.Start;
import crema.state.StateStore;
import java.util.List;

/** `start`, `kill`, `delete`: small, and loading nothing create needs. */
final class LifecycleCommands {

    int start(List<String> argv, Globals g) {
        String id = Args.parse(argv, Commands.START).id("start", 1, 1);
        StateStore store = new StateStore(g.root());
        // with NOTIFY_SOCKET, start returns once the container is READY=, as runc's does
        try (NotifyProxy notify = NotifyProxy.bind(store, id, System.getenv("NOTIFY_SOCKET"))) {
            new Start(store, g.log()::warn).start(id);
            if (notify != null) notify.forwardReady(store.load(id));
        }
        return 0;
    }

    int kill(List<String> argv, Globals g) {
        Args a = Args.parse(argv, Commands.KILL);
        String id = a.id("kill", 1, 2);
        int signal = a.positionals().size() > 1 ? Signals.parse(a.positionals().get(1)) : 15;
        new Kill(new StateStore(g.root())).kill(id, signal, a.has("all"));
        return 0;
    }

    int delete(List<String> argv, Globals g) {
        Args a = Args.parse(argv, Commands.DELETE);
        String id = a.id("delete", 1, 1);
        new Delete(new StateStore(g.root()), CgroupManager.forHost(), g.log()::warn).delete(id, a.has("force"));
        return 0;
    }
}

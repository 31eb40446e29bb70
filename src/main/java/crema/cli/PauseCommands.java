package crema.cli;

import crema.cgroups.CgroupManager;
import crema.lifecycle.Pause;
import crema.state.StateStore;
import java.util.List;

/** `pause` and `resume`. */
final class PauseCommands {

    int pause(List<String> argv, Globals g) {
        String id = Args.parse(argv, Commands.PAUSE).id("pause", 1, 1);
        new Pause(new StateStore(g.root()), CgroupManager.forHost()).pause(id);
        return 0;
    }

    int resume(List<String> argv, Globals g) {
        String id = Args.parse(argv, Commands.RESUME).id("resume", 1, 1);
        new Pause(new StateStore(g.root()), CgroupManager.forHost()).resume(id);
        return 0;
    }
}

package crema.lifecycle;

import crema.spec.Mount;
import crema.spec.Process;
import crema.spec.Spec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * systemd's protocols passed through to a container, as runc passes them:
 * socket activation (the caller's LISTEN_FDS become the container's, from fd
 * 3 on, with LISTEN_PID=1) and NOTIFY_SOCKET (the state dir's notify/ bound
 * read-only at /run/notify, where the container's sd_notify finds the socket
 * {@link NotifyProxy} reads).
 */
public final class Activation {
    static final String NOTIFY_DIR = "notify";
    static final String NOTIFY_SOCKET = "notify.sock";
    private static final String IN_CONTAINER = "/run/notify";

    private Activation() {}

    /** The caller's LISTEN_FDS when its LISTEN_PID is ours (else 0): fds 3 .. 3+n-1 are systemd's. */
    public static int listenFds(Map<String, String> env, long ourPid) {
        String fds = env.get("LISTEN_FDS");
        String pid = env.get("LISTEN_PID");
        if (fds == null || pid == null || !pid.equals(Long.toString(ourPid))) return 0;
        try {
            int n = Integer.parseInt(fds);
            return Math.max(n, 0);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** spec with listenFds (0: none) announced and, when notifyDir is set, the notify socket's dir bound in. */
    static Spec apply(Spec spec, int listenFds, Path notifyDir) {
        if ((listenFds == 0 && notifyDir == null) || spec.process() == null) return spec;
        Process p = spec.process();
        List<String> env = new ArrayList<>(p.env() == null ? List.of() : p.env());
        List<Mount> mounts = new ArrayList<>(spec.mounts() == null ? List.of() : spec.mounts());
        if (listenFds > 0) {
            env.add("LISTEN_FDS=" + listenFds);
            env.add("LISTEN_PID=1");
        }
        if (notifyDir != null) {
            mounts.add(new Mount(IN_CONTAINER, "bind", notifyDir.toString(), List.of("bind", "nosuid", "noexec", "nodev", "ro"),
                    null, null));
            env.add("NOTIFY_SOCKET=" + IN_CONTAINER + "/" + NOTIFY_SOCKET);
        }
        Process withEnv = new Process(p.terminal(), p.consoleSize(), p.user(), p.args(), p.commandLine(), List.copyOf(env),
                p.cwd(), p.capabilities(), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(),
                p.scheduler(), p.selinuxLabel(), p.ioPriority(), p.execCPUAffinity());
        return new Spec(spec.ociVersion(), withEnv, spec.root(), spec.hostname(), spec.domainname(), List.copyOf(mounts),
                spec.hooks(), spec.annotations(), spec.linux());
    }
}

package crema.plan;

import crema.plan.LaunchPlan.CapabilitySets;
import crema.plan.LaunchPlan.RlimitStep;
import crema.spec.Process;
import crema.spec.Rlimit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The process part of a plan: what crema-init needs to start one process,
 * the container's init or one that `exec` adds. The same rules check a
 * config.json's process and an exec's, so both fail with a JSON path.
 */
public record ProcessPlan(
        List<String> args,
        List<String> env,
        String cwd,
        long uid,
        long gid,
        Long umask,
        List<Long> additionalGids, // null: no setgroups call (denied in the user namespace)
        List<RlimitStep> rlimits,
        CapabilitySets capabilities,
        boolean noNewPrivileges,
        boolean newKeyring,
        LaunchPlan.Seccomp seccomp,
        ProcessAttributes attributes,
        int preserveFds,
        Console console) {

    /**
     * process.terminal: a pty for the process, its master sent to socket (a unix
     * socket path); rows and cols 0 leave the size alone; devConsole also binds
     * it on /dev/console (a container's init).
     */
    public record Console(int rows, int cols, boolean devConsole, String socket) {}

    /**
     * For a user namespace with setgroups denied (rootless, gids mapped without
     * newgidmap): no setgroups call at all, so the caller's groups stay, as with runc.
     */
    ProcessPlan withoutSetgroups(String field) {
        if (!additionalGids.isEmpty()) {
            throw new InvalidSpecException(field, "cannot be set by a non-root user whose gids are mapped without newgidmap"
                    + " (setgroups is denied in that user namespace)");
        }
        return new ProcessPlan(args, env, cwd, uid, gid, umask, null, rlimits, capabilities, noNewPrivileges, newKeyring,
                seccomp, attributes, preserveFds, console);
    }

    /** No HOME in the env: crema-init takes it from the container's /etc/passwd (else "/"), as runc and crun do. */
    public boolean homeFromPasswd() {
        for (String e : env) if (e.startsWith("HOME=")) return false;
        return true;
    }

    /** The fields of p that need no more than p, checked; field names p in errors ("process", or "" for a process.json). */
    static ProcessPlan of(Process p, String field, boolean newKeyring, LaunchPlan.Seccomp seccomp,
                          ProcessAttributes attributes, int preserveFds, Console console) {
        if (p.args() == null || p.args().isEmpty() || p.args().get(0).isEmpty()) {
            throw new InvalidSpecException(at(field, "args"), "must be a non-empty array");
        }
        List<String> env = p.env() == null ? List.of() : p.env();
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i).indexOf('=') <= 0) throw new InvalidSpecException(at(field, "env[" + i + "]"), "must be KEY=VALUE");
        }
        // A name given twice gets its last value, at its first place, as runc passes it on (getenv would take the first).
        Map<String, String> byName = new LinkedHashMap<>();
        for (String e : env) byName.put(e.substring(0, e.indexOf('=')), e);
        env = List.copyOf(byName.values());
        if (p.cwd() == null || !p.cwd().startsWith("/")) throw new InvalidSpecException(at(field, "cwd"), "must be an absolute path");
        long uid = checkedId(p.user() == null ? 0 : p.user().uid(), at(field, "user.uid"));
        long gid = checkedId(p.user() == null ? 0 : p.user().gid(), at(field, "user.gid"));
        Long umask = p.user() == null ? null : p.user().umask();
        if (umask != null && (umask < 0 || umask > 0777)) {
            throw new InvalidSpecException(at(field, "user.umask"), "must be between 0 and 0777");
        }
        List<Long> groups = p.user() == null || p.user().additionalGids() == null ? List.of() : p.user().additionalGids();
        for (int i = 0; i < groups.size(); i++) checkedId(groups.get(i), at(field, "user.additionalGids[" + i + "]"));
        return new ProcessPlan(List.copyOf(p.args()), List.copyOf(env), Path.of(p.cwd()).normalize().toString(), uid, gid,
                umask, List.copyOf(groups), rlimits(p.rlimits(), at(field, "rlimits")),
                capabilities(p.capabilities(), at(field, "capabilities")), p.noNewPrivileges(), newKeyring, seccomp,
                attributes, preserveFds, console);
    }

    /**
     * uid_t and gid_t are 32 bits, but 4294967295 is (uid_t) -1, which setresuid takes as
     * "leave it": the process would stay root. runc's range, for the same reason.
     */
    private static long checkedId(long id, String field) {
        if (id < 0 || id > Integer.MAX_VALUE) throw new InvalidSpecException(field, "uids and gids must be in range 0-2147483647");
        return id;
    }

    /** p's terminal, if it has one, with its master to go to socket (which the caller must then give). */
    static Console console(Process p, String field, String socket, boolean devConsole) {
        if (!p.terminal()) return null;
        if (socket == null) throw new InvalidSpecException(at(field, "terminal"), "needs a console socket");
        long rows = p.consoleSize() == null ? 0 : p.consoleSize().height();
        long cols = p.consoleSize() == null ? 0 : p.consoleSize().width();
        if (rows < 0 || rows > 0xffff || cols < 0 || cols > 0xffff) {
            throw new InvalidSpecException(at(field, "consoleSize"), "height and width must be below 65536");
        }
        return new Console((int) rows, (int) cols, devConsole, socket);
    }

    static String at(String field, String name) {
        return field.isEmpty() ? name : field + "." + name;
    }

    static List<RlimitStep> rlimits(List<Rlimit> rlimits, String field) {
        List<RlimitStep> steps = new ArrayList<>();
        if (rlimits == null) return List.of();
        long seen = 0;
        for (int i = 0; i < rlimits.size(); i++) {
            Rlimit r = rlimits.get(i);
            String path = field + "[" + i + "]";
            int resource = RlimitNames.resource(r.type(), path + ".type");
            if ((seen & (1L << resource)) != 0) throw new InvalidSpecException(path + ".type", "duplicate rlimit \"" + r.type() + "\"");
            seen |= 1L << resource;
            if (Long.compareUnsigned(r.soft(), r.hard()) > 0) throw new InvalidSpecException(path, "soft limit is above the hard limit");
            steps.add(new RlimitStep(resource, r.soft(), r.hard()));
        }
        return List.copyOf(steps);
    }

    static CapabilitySets capabilities(crema.spec.Capabilities c, String field) {
        if (c == null) return new CapabilitySets(0, 0, 0, 0, 0);
        String base = field + ".";
        long inheritable = CapabilityNames.mask(c.inheritable(), base + "inheritable");
        long permitted = CapabilityNames.mask(c.permitted(), base + "permitted");
        // The kernel raises an ambient capability only if it is permitted and inheritable;
        // runc and crun skip the others (runc 1.1's own `runc spec` lists some), so crema does too.
        long ambient = CapabilityNames.mask(c.ambient(), base + "ambient") & inheritable & permitted;
        return new CapabilitySets(
                CapabilityNames.mask(c.bounding(), base + "bounding"),
                CapabilityNames.mask(c.effective(), base + "effective"),
                inheritable, permitted, ambient);
    }
}

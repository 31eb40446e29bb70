package crema.plan;

import crema.plan.LaunchPlan.CapabilitySets;
import crema.plan.LaunchPlan.NamespaceJoin;
import crema.spec.Capabilities;
import crema.spec.Process;
import crema.spec.Spec;
import crema.spec.User;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * `exec`: the process to start in a running container, as runc builds it,
 * and the rules that keep it within what the container allows. It joins
 * the container's namespaces and gets its seccomp filter; a capability
 * outside the container's bounding set is dropped; no_new_privs is on when
 * the container has it; rlimits, capabilities, AppArmor profile and SELinux
 * label default to the container's. Pure: the caller supplies the facts.
 */
public final class ExecPlanner {
    private ExecPlanner() {}

    /** runc's exec flags; null or empty where not given. */
    public record Flags(List<String> args, boolean tty, String cwd, List<String> env, String user,
                        List<Long> additionalGids, List<String> caps, boolean noNewPrivs, String apparmor,
                        String processLabel) {}

    /**
     * What the container's plan does not say: its init's root and namespaces (joins, user first),
     * its compiled seccomp filter, create's keyring choice, the fds to pass on, the host's LSMs,
     * where a terminal's master goes.
     */
    public record Inputs(String initRoot, List<NamespaceJoin> joins, PlanInputs.SeccompProgram seccomp,
                         boolean newKeyring, int preserveFds, PlanInputs.HostFacts host, String consoleSocket) {}

    /** The flag form: the container's own process with runc's flags applied. */
    public static Process fromFlags(Process base, Flags f) {
        List<String> env = new ArrayList<>(base.env() == null ? List.of() : base.env());
        for (String e : f.env() == null ? List.<String>of() : f.env()) {
            int eq = e.indexOf('=');
            if (eq <= 0) throw new InvalidSpecException("--env", "\"" + e + "\" is not KEY=VALUE");
            String key = e.substring(0, eq + 1);
            env.removeIf(old -> old.startsWith(key));
            env.add(e);
        }
        User u = base.user() == null ? new User(0, 0, null, null, null) : base.user();
        long uid = u.uid(), gid = u.gid();
        if (f.user() != null && !f.user().isEmpty()) {
            String[] ids = f.user().split(":", -1);
            if (ids.length > 2) throw new InvalidSpecException("--user", "\"" + f.user() + "\" is not uid[:gid]");
            uid = id(ids[0], f.user());
            if (ids.length == 2) gid = id(ids[1], f.user());
        }
        List<Long> gids = new ArrayList<>(u.additionalGids() == null ? List.of() : u.additionalGids());
        if (f.additionalGids() != null) gids.addAll(f.additionalGids());
        Capabilities caps = base.capabilities();
        if (f.caps() != null && !f.caps().isEmpty()) {
            for (String c : f.caps()) {
                if (!CapabilityNames.ALL.contains(c)) throw new InvalidSpecException("--cap", "unknown capability \"" + c + "\"");
            }
            Capabilities b = caps == null ? new Capabilities(null, null, null, null, null) : caps;
            // never inheritable (CVE-2022-29162), so not ambient either: the kernel only raises an
            // ambient capability that is also inheritable
            caps = new Capabilities(plus(b.bounding(), f.caps()), plus(b.effective(), f.caps()), b.inheritable(),
                    plus(b.permitted(), f.caps()), b.ambient());
        }
        return new Process(f.tty(), base.consoleSize(), new User(uid, gid, u.umask(), List.copyOf(gids), u.username()),
                f.args() == null ? null : List.copyOf(f.args()), null, List.copyOf(env),
                f.cwd() != null && !f.cwd().isEmpty() ? f.cwd() : base.cwd(), caps, base.rlimits(),
                base.noNewPrivileges() || f.noNewPrivs(), f.apparmor() != null ? f.apparmor() : base.apparmorProfile(),
                base.oomScoreAdj(), base.scheduler(), f.processLabel() != null ? f.processLabel() : base.selinuxLabel(),
                base.ioPriority(), base.execCPUAffinity());
    }

    /**
     * The plan for exec's process p in the container whose config is container.
     * field names p in errors ("" for a process.json); warnings hears of capabilities dropped.
     */
    public static ExecPlan build(Spec container, Process p, String field, Inputs in, Consumer<String> warnings) {
        Process c = container.process();
        String apparmor = nonEmpty(p.apparmorProfile()) ? p.apparmorProfile() : c.apparmorProfile();
        String label = nonEmpty(p.selinuxLabel()) ? p.selinuxLabel() : c.selinuxLabel();
        if (in.host().refusesAppArmor(apparmor)) throw notYet(ProcessPlan.at(field, "apparmorProfile"));
        if (nonEmpty(label) && in.host().selinux()) throw notYet(ProcessPlan.at(field, "selinuxLabel"));
        boolean nnp = p.noNewPrivileges() || c.noNewPrivileges();
        Process effective = new Process(p.terminal(), p.consoleSize(), p.user(), p.args(), p.commandLine(), p.env(),
                p.cwd(), p.capabilities() != null ? p.capabilities() : c.capabilities(),
                p.rlimits() != null && !p.rlimits().isEmpty() ? p.rlimits() : c.rlimits(), nnp, apparmor,
                c.oomScoreAdj(), p.scheduler(), label, p.ioPriority(), p.execCPUAffinity());
        ProcessAttributes attrs = ProcessAttributes.of(effective, container.linux(), field);
        ProcessPlan pp = ProcessPlan.of(effective, field, in.newKeyring(), PlanBuilder.seccomp(in.seccomp(), nnp), attrs,
                in.preserveFds(), ProcessPlan.console(effective, field, in.consoleSocket(), false));
        var gidMap = PlanBuilder.idMappings(container.linux() == null ? null : container.linux().gidMappings(), "linux.gidMappings");
        if (Rootless.setgroupsDenied(in.host().caller().unprivilegedIds(), in.host().caller().gid(), gidMap)) {
            pp = pp.withoutSetgroups(ProcessPlan.at(field, "user.additionalGids"));
        }
        long allowed = ProcessPlan.capabilities(c.capabilities(), "process.capabilities").bounding();
        CapabilitySets asked = pp.capabilities();
        long beyond = (asked.bounding() | asked.effective() | asked.inheritable() | asked.permitted() | asked.ambient())
                & ~allowed;
        if (beyond != 0) {
            warnings.accept("exec: capabilities outside the container's bounding set are dropped: " + names(beyond));
        }
        CapabilitySets caps = new CapabilitySets(asked.bounding() & allowed, asked.effective() & allowed,
                asked.inheritable() & allowed, asked.permitted() & allowed, asked.ambient() & allowed);
        pp = new ProcessPlan(pp.args(), pp.env(), pp.cwd(), pp.uid(), pp.gid(), pp.umask(), pp.additionalGids(),
                pp.rlimits(), caps, pp.noNewPrivileges(), pp.newKeyring(), pp.seccomp(), pp.attributes(), pp.preserveFds(),
                pp.console());
        return new ExecPlan(List.copyOf(in.joins()), in.initRoot(), pp);
    }

    private static long id(String s, String whole) {
        try {
            long v = Long.parseLong(s);
            if (v >= 0 && v <= 0xffff_ffffL) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSpecException("--user", "\"" + whole + "\" is not uid[:gid] (numbers)");
    }

    private static List<String> plus(List<String> set, List<String> more) {
        List<String> out = new ArrayList<>(set == null ? List.of() : set);
        for (String m : more) if (!out.contains(m)) out.add(m);
        return List.copyOf(out);
    }

    private static String names(long mask) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < CapabilityNames.ALL.size(); bit++) if ((mask >> bit & 1) != 0) out.add(CapabilityNames.ALL.get(bit));
        return String.join(", ", out);
    }

    private static boolean nonEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    private static InvalidSpecException notYet(String path) {
        return new InvalidSpecException(path, "not supported by this version of crema yet");
    }
}

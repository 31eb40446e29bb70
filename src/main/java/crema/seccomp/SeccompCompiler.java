package crema.seccomp;

import crema.plan.InvalidSpecException;
import crema.plan.PlanInputs.SeccompProgram;
import crema.spec.Seccomp;
import crema.spec.SeccompArg;
import crema.spec.SeccompSyscall;
import crema.sys.Errno;
import crema.sys.SeccompFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * linux.seccomp → a BPF program, through libseccomp (never a BPF compiler of
 * our own; only runc's small ENOSYS prefix is written here, see EnosysPrefix).
 * Names are checked with their JSON path; a syscall name this libseccomp does
 * not know is skipped, as runc skips it, so one profile serves kernels old and new.
 */
public final class SeccompCompiler {
    static final int ACT_KILL_THREAD = 0x00000000, ACT_KILL_PROCESS = 0x80000000, ACT_TRAP = 0x00030000,
            ACT_ERRNO = 0x00050000, ACT_TRACE = 0x7ff00000, ACT_LOG = 0x7ffc0000, ACT_ALLOW = 0x7fff0000,
            ACT_NOTIFY = 0x7fc00000;
    private static final int FLAG_NEW_LISTENER = 8;
    private static final int EPERM = 1;

    private static final Map<String, Integer> OPERATORS = Map.of(
            "SCMP_CMP_NE", 1, "SCMP_CMP_LT", 2, "SCMP_CMP_LE", 3, "SCMP_CMP_EQ", 4, "SCMP_CMP_GE", 5,
            "SCMP_CMP_GT", 6, "SCMP_CMP_MASKED_EQ", 7);
    /** seccomp(2) filter flags, passed by crema-init when it loads the program. */
    private static final Map<String, Integer> FLAGS = Map.of(
            "SECCOMP_FILTER_FLAG_TSYNC", 1, "SECCOMP_FILTER_FLAG_LOG", 2, "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4,
            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 32);

    public static final List<String> ACTIONS = List.of("SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
            "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY");
    public static final List<String> ARCHES = List.of("SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
            "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
            "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
            "SCMP_ARCH_RISCV64");

    private SeccompCompiler() {}

    public static List<String> operators() {
        return OPERATORS.keySet().stream().sorted().toList();
    }

    public static List<String> flags() {
        return FLAGS.keySet().stream().sorted().toList();
    }

    public static SeccompProgram compile(Seccomp s) {
        int defaultAction = action(s.defaultAction(), s.defaultErrnoRet(), "linux.seccomp.defaultAction");
        int flags = 0;
        List<String> flagNames = s.flags() == null ? List.of() : s.flags();
        for (int i = 0; i < flagNames.size(); i++) {
            Integer f = flagNames.get(i) == null ? null : FLAGS.get(flagNames.get(i));
            if (f == null) throw new InvalidSpecException("linux.seccomp.flags[" + i + "]", "unknown flag \"" + flagNames.get(i) + "\"");
            flags |= f;
        }
        String listener = s.listenerPath() == null || s.listenerPath().isEmpty() ? null : s.listenerPath();
        boolean notify = s.defaultAction() != null && s.defaultAction().equals("SCMP_ACT_NOTIFY")
                || (s.syscalls() != null && s.syscalls().stream().anyMatch(r -> "SCMP_ACT_NOTIFY".equals(r.action())));
        if (notify) {
            // The agent gets the notify fd through listenerPath: without it nobody could answer.
            if (listener == null) throw new InvalidSpecException("linux.seccomp.listenerPath", "must be set when SCMP_ACT_NOTIFY is used");
            if (!listener.startsWith("/")) throw new InvalidSpecException("linux.seccomp.listenerPath", "must be an absolute path");
            flags |= FLAG_NEW_LISTENER;
        }
        try (SeccompFilter filter = new SeccompFilter(defaultAction)) {
            Set<Integer> tokens = new LinkedHashSet<>(List.of(SeccompFilter.nativeArch()));
            List<String> arches = s.architectures() == null ? List.of() : s.architectures();
            for (int i = 0; i < arches.size(); i++) {
                String name = arches.get(i);
                int token = name != null && name.startsWith("SCMP_ARCH_") ? SeccompFilter.archToken(name.substring(10).toLowerCase(Locale.ROOT)) : 0;
                if (token == 0) throw new InvalidSpecException("linux.seccomp.architectures[" + i + "]", "unknown architecture \"" + name + "\"");
                filter.addArch(token, name);
                tokens.add(token);
            }
            List<SeccompSyscall> rules = s.syscalls() == null ? List.of() : s.syscalls();
            for (int i = 0; i < rules.size(); i++) addRules(filter, rules.get(i), defaultAction, "linux.seccomp.syscalls[" + i + "]");
            byte[] bpf = filter.export();
            if (refusesUnnamed(defaultAction)) bpf = concat(EnosysPrefix.program(newestNamed(tokens, rules)), bpf);
            return new SeccompProgram(bpf, flags, notify ? listener : null,
                    s.listenerMetadata() == null ? "" : s.listenerMetadata());
        }
    }

    /**
     * Whether the default refuses a call the profile does not name, so that calls newer
     * than the profile get ENOSYS instead (EnosysPrefix). As runc: not when the default lets
     * calls run (ALLOW, LOG; TRACE: a tracer handles new calls itself), nor when it is ENOSYS already.
     */
    private static boolean refusesUnnamed(int defaultAction) {
        return defaultAction != ACT_ALLOW && defaultAction != ACT_LOG && (defaultAction & 0xffff0000) != ACT_TRACE
                && defaultAction != (ACT_ERRNO | Errno.ENOSYS);
    }

    /**
     * Per arch, the highest number among every name of every rule, whatever its action
     * (as runc counts); names that arch lacks are skipped, and an arch where none is
     * above 0 gets no ENOSYS section, as in runc.
     */
    private static Map<Integer, Integer> newestNamed(Set<Integer> tokens, List<SeccompSyscall> rules) {
        Map<Integer, Integer> newest = new LinkedHashMap<>();
        for (int token : tokens) {
            int max = 0;
            for (SeccompSyscall rule : rules) {
                for (String name : rule.names() == null ? List.<String>of() : rule.names()) {
                    if (name != null) max = Math.max(max, SeccompFilter.syscallNumber(token, name));
                }
            }
            if (max > 0) newest.put(token, max);
        }
        return newest;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void addRules(SeccompFilter filter, SeccompSyscall rule, int defaultAction, String path) {
        int action = action(rule.action(), rule.errnoRet(), path + ".action");
        List<long[]> conditions = conditions(rule.args() == null ? List.of() : rule.args(), path);
        if (action == defaultAction) return; // libseccomp refuses a rule that changes nothing
        List<String> names = rule.names() == null ? List.of() : rule.names();
        if (names.isEmpty()) throw new InvalidSpecException(path + ".names", "must list at least one syscall");
        for (String name : names) {
            if (name == null) throw new InvalidSpecException(path + ".names", "must hold syscall names");
            int nr = SeccompFilter.syscallNumber(name);
            if (nr < 0) continue; // unknown to this libseccomp: skipped, as runc does
            for (long[] c : conditions) filter.addRule(action, nr, c, path + " (" + name + ")");
        }
    }

    /**
     * The rule's argument conditions: all in one rule (AND) when every index is
     * distinct; otherwise one rule per condition (OR), as libseccomp cannot
     * AND two conditions on one argument.
     */
    private static List<long[]> conditions(List<SeccompArg> args, String path) {
        List<long[]> each = new ArrayList<>();
        Set<Long> indices = new HashSet<>();
        for (int j = 0; j < args.size(); j++) {
            SeccompArg a = args.get(j);
            String field = path + ".args[" + j + "]";
            if (a.index() < 0 || a.index() > 5) throw new InvalidSpecException(field + ".index", "must be between 0 and 5");
            Integer op = a.op() == null ? null : OPERATORS.get(a.op());
            if (op == null) throw new InvalidSpecException(field + ".op", "unknown operator \"" + a.op() + "\"");
            each.add(new long[] {a.index(), op, a.value(), a.valueTwo()});
            indices.add(a.index());
        }
        if (each.isEmpty()) return List.of(new long[0]);
        if (indices.size() == each.size()) {
            long[] all = new long[4 * each.size()];
            for (int k = 0; k < each.size(); k++) System.arraycopy(each.get(k), 0, all, 4 * k, 4);
            return List.of(all);
        }
        return each;
    }

    static int action(String name, Long errnoRet, String field) {
        if (name == null) throw new InvalidSpecException(field, "must be set");
        int ret = errnoRet == null ? EPERM : (int) (errnoRet & 0xffff);
        return switch (name) {
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> ACT_KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> ACT_KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> ACT_TRAP;
            case "SCMP_ACT_ERRNO" -> ACT_ERRNO | ret;
            case "SCMP_ACT_TRACE" -> ACT_TRACE | ret;
            case "SCMP_ACT_ALLOW" -> ACT_ALLOW;
            case "SCMP_ACT_LOG" -> ACT_LOG;
            case "SCMP_ACT_NOTIFY" -> ACT_NOTIFY;
            default -> throw new InvalidSpecException(field, "unknown action \"" + name + "\"");
        };
    }
}

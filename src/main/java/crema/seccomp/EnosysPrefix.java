package crema.seccomp;

import crema.sys.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A classic-BPF prefix, put before libseccomp's program, that answers ENOSYS to
 * a syscall numbered above every syscall the profile names on its arch, as runc
 * does: a profile that refuses what it does not name (EPERM, kill, trap) was
 * written before those calls existed, and libc falls back from a new call
 * (clone3, faccessat2, openat2, fchmodat2) only on ENOSYS. Any other call goes
 * on to libseccomp's program untouched.
 *
 * <p>libseccomp cannot say "every number above N": rules for each syscall it
 * knows above N would miss the calls newer than libseccomp itself, the very
 * ones libc tries first. So the prefix is written here; it only compares the
 * arch and the number, then jumps into libseccomp's program.
 *
 * <p>On x86_64 an x32 call (the x32 bit set) is compared with the x32 ABI's
 * newest only, when x32 is in the filter, and is otherwise left to the
 * program. On s390 and s390x number 0 is where the kernel leaves a call it does
 * not know past 255 (setup(2), long gone, multiplexes them): it answers ENOSYS.
 */
final class EnosysPrefix {
    // Classic BPF opcodes and seccomp_data offsets (linux/filter.h, linux/seccomp.h).
    static final int LD_W_ABS = 0x20, JA = 0x05, JEQ_K = 0x15, JGT_K = 0x25, JSET_K = 0x45, RET_K = 0x06;
    static final int NR_OFFSET = 0, ARCH_OFFSET = 4;
    /** libseccomp's x32 token is not an audit arch: x32 calls come as x86_64 ones with this bit. */
    static final int TOKEN_X32 = 0x4000003e, AUDIT_ARCH_X86_64 = 0xc000003e, X32_SYSCALL_BIT = 0x40000000;
    static final int AUDIT_ARCH_S390 = 0x16, AUDIT_ARCH_S390X = 0x80000016;
    static final int RET_ENOSYS = SeccompCompiler.ACT_ERRNO | Errno.ENOSYS;

    /** One sock_filter: opcode, jump-if-true and jump-if-false offsets, constant. */
    record Insn(int code, int jt, int jf, int k) {}

    private EnosysPrefix() {}

    /** The prefix as seccomp(2) takes it (host byte order, as libseccomp exports). */
    static byte[] program(Map<Integer, Integer> newestByArch) {
        List<Insn> insns = instructions(newestByArch);
        ByteBuffer b = ByteBuffer.allocate(8 * insns.size()).order(ByteOrder.nativeOrder());
        for (Insn i : insns) b.putShort((short) i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
        return b.array();
    }

    /**
     * newestByArch: libseccomp arch token → the highest syscall number the profile
     * names on it. The prefix loads the arch, jumps to that arch's section (an
     * arch without one goes on to the program), which loads the number and
     * returns ENOSYS above the newest.
     */
    static List<Insn> instructions(Map<Integer, Integer> newestByArch) {
        Asm a = new Asm();
        Map<Integer, Map<Integer, Integer>> byAuditArch = new LinkedHashMap<>();
        newestByArch.forEach((token, newest) -> byAuditArch
                .computeIfAbsent(token == TOKEN_X32 ? AUDIT_ARCH_X86_64 : token, k -> new HashMap<>()).put(token, newest));
        a.stmt(LD_W_ABS, ARCH_OFFSET);
        for (int arch : byAuditArch.keySet()) a.jump(JEQ_K, arch, "arch" + arch, null);
        a.ja("program");
        byAuditArch.forEach((arch, newest) -> {
            String enosys = "enosys" + arch;
            a.label("arch" + arch);
            a.stmt(LD_W_ABS, NR_OFFSET);
            if (arch == AUDIT_ARCH_S390 || arch == AUDIT_ARCH_S390X) a.jump(JEQ_K, 0, enosys, null);
            if (arch == AUDIT_ARCH_X86_64) {
                a.jump(JSET_K, X32_SYSCALL_BIT, "x32", null);
                above(a, newest.get(AUDIT_ARCH_X86_64), enosys);
                a.label("x32");
                above(a, newest.get(TOKEN_X32), enosys);
            } else {
                above(a, newest.get(arch), enosys);
            }
            a.label(enosys);
            a.stmt(RET_K, RET_ENOSYS);
        });
        a.label("program");
        return a.resolve();
    }

    /** ENOSYS above newest (null: this ABI is not in the filter), else on to the program. */
    private static void above(Asm a, Integer newest, String enosys) {
        if (newest != null) a.jump(JGT_K, newest, enosys, null);
        a.ja("program");
    }

    /** Instructions whose jumps name labels (null: the next instruction), resolved to offsets at the end. */
    private static final class Asm {
        private record Pending(int code, int k, String jt, String jf) {}

        private final List<Pending> code = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();

        void label(String name) {
            labels.put(name, code.size());
        }

        void stmt(int op, int k) {
            code.add(new Pending(op, k, null, null));
        }

        void jump(int op, int k, String jt, String jf) {
            code.add(new Pending(op, k, jt, jf));
        }

        void ja(String target) {
            code.add(new Pending(JA, 0, target, null));
        }

        List<Insn> resolve() {
            List<Insn> out = new ArrayList<>();
            for (int i = 0; i < code.size(); i++) {
                Pending p = code.get(i);
                if (p.code() == JA) out.add(new Insn(JA, 0, 0, offset(i, p.jt())));
                else out.add(new Insn(p.code(), offset(i, p.jt()), offset(i, p.jf()), p.k()));
            }
            return out;
        }

        /** Forward only; a conditional offset is one byte, which a prefix of at most ~20 arches never outgrows. */
        private int offset(int from, String label) {
            if (label == null) return 0;
            int off = labels.get(label) - from - 1;
            if (off < 0 || (off > 255 && code.get(from).code() != JA)) throw new IllegalStateException("BPF jump to " + label + " out of range: " + off);
            return off;
        }
    }
}

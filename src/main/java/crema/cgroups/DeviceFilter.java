package crema.cgroups;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The cgroup v2 device controller is an eBPF program
 * (BPF_PROG_TYPE_CGROUP_DEVICE): this class writes one for a rule list.
 *
 * The program sees a struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
 * u32 minor; } where access_type is (access bits << 16) | device type, and
 * returns 1 to allow, 0 to deny. Later rules win, so the rules are tested
 * last to first and the first match returns; a rule that matches everything
 * ends the program (nothing before it could decide). With no match: deny.
 *
 * Registers: r2 device type, r3 requested access, r4 major, r5 minor; r1 is
 * reused as scratch once the context is read.
 */
final class DeviceFilter {
    static final int DEV_BLOCK = 1, DEV_CHAR = 2;
    static final int ACC_MKNOD = 1, ACC_READ = 2, ACC_WRITE = 4;

    // Opcodes (class | op | source), from the kernel's instruction set.
    static final int LDX_W = 0x61;      // dst = *(u32 *)(src + off)
    static final int AND32_K = 0x54;    // dst &= imm (32-bit)
    static final int RSH32_K = 0x74;    // dst >>= imm (32-bit)
    static final int MOV32_K = 0xb4;    // dst = imm
    static final int MOV32_X = 0xbc;    // dst = src
    static final int JNE_K = 0x55;      // if dst != imm goto +off
    static final int JNE_X = 0x5d;      // if dst != src goto +off
    static final int EXIT = 0x95;

    /** One instruction: opcode, registers, jump offset, immediate. */
    record Insn(int op, int dst, int src, int off, int imm) {}

    private DeviceFilter() {}

    /** The program as the kernel takes it: 8 bytes per instruction, little-endian. */
    static byte[] program(List<DeviceRule> rules) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Insn i : instructions(rules)) {
            out.write(i.op());
            out.write((i.src() << 4) | i.dst());
            out.write(i.off() & 0xff);
            out.write((i.off() >> 8) & 0xff);
            for (int b = 0; b < 4; b++) out.write((i.imm() >> (8 * b)) & 0xff);
        }
        return out.toByteArray();
    }

    static List<Insn> instructions(List<DeviceRule> rules) {
        List<Insn> p = new ArrayList<>(List.of(
                new Insn(LDX_W, 2, 1, 0, 0),
                new Insn(AND32_K, 2, 0, 0, 0xffff),
                new Insn(LDX_W, 3, 1, 0, 0),
                new Insn(RSH32_K, 3, 0, 0, 16),
                new Insn(LDX_W, 4, 1, 4, 0),
                new Insn(LDX_W, 5, 1, 8, 0)));
        for (int i = rules.size() - 1; i >= 0; i--) {
            DeviceRule r = rules.get(i);
            p.addAll(block(r));
            // The verifier refuses unreachable instructions: stop after a rule that always returns.
            if (r.matchesAll()) return p;
        }
        p.add(new Insn(MOV32_K, 0, 0, 0, 0));
        p.add(new Insn(EXIT, 0, 0, 0, 0));
        return p;
    }

    /** The tests of one rule, each jumping past the block on a mismatch, then its verdict. */
    private static List<Insn> block(DeviceRule r) {
        List<Insn> tests = new ArrayList<>();
        if (r.type() != 'a') tests.add(new Insn(JNE_K, 2, 0, 0, r.type() == 'b' ? DEV_BLOCK : DEV_CHAR));
        int access = accessBits(r.access());
        if (access != (ACC_MKNOD | ACC_READ | ACC_WRITE)) {
            // Matches only when every requested bit is one the rule names.
            tests.add(new Insn(MOV32_X, 1, 3, 0, 0));
            tests.add(new Insn(AND32_K, 1, 0, 0, access));
            tests.add(new Insn(JNE_X, 1, 3, 0, 0));
        }
        if (r.major() != DeviceRule.ANY) tests.add(new Insn(JNE_K, 4, 0, 0, (int) r.major()));
        if (r.minor() != DeviceRule.ANY) tests.add(new Insn(JNE_K, 5, 0, 0, (int) r.minor()));
        List<Insn> block = new ArrayList<>();
        int size = tests.size() + 2;
        for (int k = 0; k < tests.size(); k++) {
            Insn t = tests.get(k);
            boolean jump = t.op() == JNE_K || t.op() == JNE_X;
            // A jump's offset counts from the next instruction to the end of the block.
            block.add(jump ? new Insn(t.op(), t.dst(), t.src(), size - k - 1, t.imm()) : t);
        }
        block.add(new Insn(MOV32_K, 0, 0, 0, r.allow() ? 1 : 0));
        block.add(new Insn(EXIT, 0, 0, 0, 0));
        return block;
    }

    static int accessBits(String access) {
        int bits = 0;
        for (char c : access.toCharArray()) {
            bits |= switch (c) {
                case 'r' -> ACC_READ;
                case 'w' -> ACC_WRITE;
                case 'm' -> ACC_MKNOD;
                default -> throw new IllegalArgumentException("device access \"" + access + "\"");
            };
        }
        return bits;
    }
}

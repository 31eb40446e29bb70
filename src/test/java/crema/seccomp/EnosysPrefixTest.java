package crema.seccomp;

import static crema.seccomp.EnosysPrefix.AUDIT_ARCH_S390X;
import static crema.seccomp.EnosysPrefix.AUDIT_ARCH_X86_64;
import static crema.seccomp.EnosysPrefix.RET_ENOSYS;
import static crema.seccomp.EnosysPrefix.TOKEN_X32;
import static org.junit.jupiter.api.Assertions.assertEquals;

import crema.seccomp.EnosysPrefix.Insn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The prefix run on (arch, number) pairs by a small classic-BPF interpreter. */
class EnosysPrefixTest {
    private static final int AUDIT_ARCH_I386 = 0x40000003, AUDIT_ARCH_AARCH64 = 0xc00000b7;
    /** What running off the end of the prefix means: libseccomp's program decides. */
    private static final String PROGRAM = "program";

    /** ENOSYS, or PROGRAM when the prefix hands the call on. */
    private static String run(List<Insn> prefix, int arch, int nr) {
        int acc = 0;
        for (int pc = 0; pc < prefix.size(); pc++) {
            Insn i = prefix.get(pc);
            switch (i.code()) {
                case EnosysPrefix.LD_W_ABS -> acc = i.k() == EnosysPrefix.ARCH_OFFSET ? arch : nr;
                case EnosysPrefix.JA -> pc += i.k();
                case EnosysPrefix.JEQ_K -> pc += acc == i.k() ? i.jt() : i.jf();
                case EnosysPrefix.JGT_K -> pc += Integer.compareUnsigned(acc, i.k()) > 0 ? i.jt() : i.jf();
                case EnosysPrefix.JSET_K -> pc += (acc & i.k()) != 0 ? i.jt() : i.jf();
                case EnosysPrefix.RET_K -> {
                    assertEquals(RET_ENOSYS, i.k());
                    return "ENOSYS";
                }
                default -> throw new AssertionError("opcode " + i.code());
            }
        }
        return PROGRAM;
    }

    private static Map<Integer, Integer> newest(int... archAndNr) {
        Map<Integer, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < archAndNr.length; i += 2) m.put(archAndNr[i], archAndNr[i + 1]);
        return m;
    }

    @Test
    void onlyNumbersAboveTheNewestOfTheirArchGetEnosys() {
        List<Insn> p = EnosysPrefix.instructions(newest(AUDIT_ARCH_X86_64, 334, AUDIT_ARCH_I386, 386));
        assertEquals(PROGRAM, run(p, AUDIT_ARCH_X86_64, 79));
        assertEquals(PROGRAM, run(p, AUDIT_ARCH_X86_64, 334));
        assertEquals("ENOSYS", run(p, AUDIT_ARCH_X86_64, 335));
        assertEquals("ENOSYS", run(p, AUDIT_ARCH_X86_64, 0x3fffffff));
        assertEquals(PROGRAM, run(p, AUDIT_ARCH_I386, 386));
        assertEquals("ENOSYS", run(p, AUDIT_ARCH_I386, 387));
        // An arch the profile does not list: the program's bad-arch action answers.
        assertEquals(PROGRAM, run(p, AUDIT_ARCH_AARCH64, 1000));
    }

    @Test
    void x32CallsAreComparedWithX32sNewestOrLeftToTheProgram() {
        int x32 = 0x40000000;
        List<Insn> both = EnosysPrefix.instructions(newest(AUDIT_ARCH_X86_64, 334, TOKEN_X32, x32 + 439));
        assertEquals("ENOSYS", run(both, AUDIT_ARCH_X86_64, 439));
        assertEquals(PROGRAM, run(both, AUDIT_ARCH_X86_64, x32 + 439));
        assertEquals("ENOSYS", run(both, AUDIT_ARCH_X86_64, x32 + 440));
        List<Insn> only64 = EnosysPrefix.instructions(newest(AUDIT_ARCH_X86_64, 334));
        assertEquals(PROGRAM, run(only64, AUDIT_ARCH_X86_64, x32 + 440));
    }

    @Test
    void s390xsMultiplexerNumberGetsEnosys() {
        List<Insn> p = EnosysPrefix.instructions(newest(AUDIT_ARCH_S390X, 383));
        assertEquals("ENOSYS", run(p, AUDIT_ARCH_S390X, 0));
        assertEquals(PROGRAM, run(p, AUDIT_ARCH_S390X, 3));
        assertEquals("ENOSYS", run(p, AUDIT_ARCH_S390X, 384));
    }

    @Test
    void noArchMeansAPrefixThatHandsEverythingOn() {
        List<Insn> p = EnosysPrefix.instructions(Map.of());
        assertEquals(PROGRAM, run(p, AUDIT_ARCH_X86_64, 1000));
        assertEquals(8 * p.size(), EnosysPrefix.program(Map.of()).length);
    }
}

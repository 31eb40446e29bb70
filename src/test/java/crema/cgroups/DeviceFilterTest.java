package crema.cgroups;

import static crema.cgroups.DeviceFilter.ACC_MKNOD;
import static crema.cgroups.DeviceFilter.ACC_READ;
import static crema.cgroups.DeviceFilter.ACC_WRITE;
import static crema.cgroups.DeviceFilter.DEV_BLOCK;
import static crema.cgroups.DeviceFilter.DEV_CHAR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.spec.DeviceCgroup;
import crema.spec.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generated device filter, run by a small interpreter of the instructions it uses. */
class DeviceFilterTest {

    /** Runs the program on one access; true when it returns 1. */
    static boolean allows(List<DeviceRule> rules, int devType, int access, int major, int minor) {
        List<DeviceFilter.Insn> p = DeviceFilter.instructions(rules);
        long[] r = new long[11];
        int[] ctx = {(access << 16) | devType, major, minor};
        int steps = 0;
        for (int pc = 0; pc < p.size(); pc++) {
            if (++steps > 10_000) throw new AssertionError("no exit");
            DeviceFilter.Insn i = p.get(pc);
            switch (i.op()) {
                case DeviceFilter.LDX_W -> r[i.dst()] = ctx[i.off() / 4] & 0xffffffffL;
                case DeviceFilter.AND32_K -> r[i.dst()] = (r[i.dst()] & i.imm()) & 0xffffffffL;
                case DeviceFilter.RSH32_K -> r[i.dst()] = (r[i.dst()] & 0xffffffffL) >>> i.imm();
                case DeviceFilter.MOV32_K -> r[i.dst()] = i.imm() & 0xffffffffL;
                case DeviceFilter.MOV32_X -> r[i.dst()] = r[i.src()] & 0xffffffffL;
                case DeviceFilter.JNE_K -> pc += r[i.dst()] != i.imm() ? i.off() : 0;
                case DeviceFilter.JNE_X -> pc += r[i.dst()] != r[i.src()] ? i.off() : 0;
                case DeviceFilter.EXIT -> {
                    return r[0] == 1;
                }
                default -> throw new AssertionError("unexpected opcode " + i.op());
            }
        }
        throw new AssertionError("ran off the end");
    }

    private static List<DeviceRule> container(DeviceCgroup... rules) {
        Resources r = new Resources(List.of(rules), null, null, null, null, null, null, null, null);
        return DeviceRules.forContainer(V2DevicesTest.linux(r));
    }

    private static final DeviceCgroup DENY_ALL = new DeviceCgroup(false, null, null, null, "rwm");

    @Test
    void theUsualSpecAllowsTheDefaultsAndNothingElse() {
        List<DeviceRule> rules = container(DENY_ALL);
        assertTrue(allows(rules, DEV_CHAR, ACC_READ | ACC_WRITE, 1, 3), "/dev/null");
        assertTrue(allows(rules, DEV_CHAR, ACC_READ, 136, 7), "/dev/pts/7");
        assertTrue(allows(rules, DEV_CHAR, ACC_MKNOD, 8, 1), "mknod of any char device");
        assertTrue(allows(rules, DEV_BLOCK, ACC_MKNOD, 8, 0), "mknod of any block device");
        assertFalse(allows(rules, DEV_BLOCK, ACC_READ, 8, 0), "reading a disk");
        assertFalse(allows(rules, DEV_CHAR, ACC_READ, 1, 11), "/dev/kmsg");
        assertFalse(allows(rules, DEV_CHAR, ACC_READ | ACC_MKNOD, 8, 1), "read is not covered by the mknod rule");
    }

    @Test
    void noRulesAtAllDeniesAllButTheDefaults() {
        List<DeviceRule> rules = container();
        assertTrue(allows(rules, DEV_CHAR, ACC_READ, 1, 5));
        assertFalse(allows(rules, DEV_CHAR, ACC_READ, 1, 1));
    }

    @Test
    void laterRulesWin() {
        List<DeviceRule> rules = List.of(
                new DeviceRule(true, 'c', 1, DeviceRule.ANY, "rw"),
                new DeviceRule(false, 'c', 1, 1, "rw"));
        assertTrue(allows(rules, DEV_CHAR, ACC_READ, 1, 11));
        assertFalse(allows(rules, DEV_CHAR, ACC_READ, 1, 1), "the deny after the allow");
        assertFalse(allows(rules, DEV_CHAR, ACC_MKNOD, 1, 11), "mknod was never allowed");
        assertFalse(allows(rules, DEV_BLOCK, ACC_READ, 1, 11), "a char rule says nothing of block devices");
    }

    @Test
    void aRequestMatchesOnlyWhenTheRuleCoversEveryAccessBit() {
        List<DeviceRule> rules = List.of(new DeviceRule(true, 'c', 1, 11, "r"));
        assertTrue(allows(rules, DEV_CHAR, ACC_READ, 1, 11));
        assertFalse(allows(rules, DEV_CHAR, ACC_READ | ACC_WRITE, 1, 11));
    }

    @Test
    void anAllowAllRuleEndsTheProgramAndOverridesWhatCameBefore() {
        List<DeviceRule> rules = List.of(
                new DeviceRule(false, 'c', 1, 3, "rwm"),
                new DeviceRule(true, 'a', DeviceRule.ANY, DeviceRule.ANY, "rwm"),
                new DeviceRule(false, 'b', 8, 0, "w"));
        assertTrue(allows(rules, DEV_CHAR, ACC_WRITE, 1, 3), "the deny before allow-all is overridden");
        assertFalse(allows(rules, DEV_BLOCK, ACC_WRITE, 8, 0), "the deny after it still counts");
        assertTrue(allows(rules, DEV_BLOCK, ACC_READ, 8, 0));
        // Nothing after the allow-all block: the verifier refuses unreachable code.
        List<DeviceFilter.Insn> p = DeviceFilter.instructions(rules);
        assertEquals(DeviceFilter.EXIT, p.get(p.size() - 1).op());
        assertEquals(1, p.get(p.size() - 2).imm(), "last verdict is the allow-all");
    }

    @Test
    void encodesEightLittleEndianBytesPerInstruction() {
        byte[] code = DeviceFilter.program(List.of());
        assertEquals(8 * 8, code.length, "6 context loads, then r0 = 0 and exit");
        // ldxw r2, [r1 + 0]: opcode 0x61, src 1 in the high nibble, dst 2 in the low one.
        assertArrayEquals(new byte[] {0x61, 0x12, 0, 0, 0, 0, 0, 0}, java.util.Arrays.copyOfRange(code, 0, 8));
        // ldxw r4, [r1 + 4]
        assertArrayEquals(new byte[] {0x61, 0x14, 4, 0, 0, 0, 0, 0}, java.util.Arrays.copyOfRange(code, 32, 40));
    }
}

package crema.cgroups;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import crema.plan.InvalidSpecException;
import crema.spec.Cpu;
import crema.spec.DeviceCgroup;
import crema.spec.HugepageLimit;
import crema.spec.Memory;
import crema.spec.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every refusal names its JSON path. */
class ResourcesCheckTest {

    private static String refusal(Resources r) {
        return assertThrows(InvalidSpecException.class, () -> ResourcesCheck.check(r)).getMessage();
    }

    private static Resources memory(Memory m) {
        return new Resources(null, m, null, null, null, null, null, null, null);
    }

    @Test
    void memory() {
        assertEquals("linux.resources.memory.limit: must be -1 (unlimited) or a number of bytes, not -2",
                refusal(memory(new Memory(-2L, null, null, null, null, null, null, null, null))));
        assertEquals("linux.resources.memory.swap: memory+swap limit 10 must not be lower than the memory limit 20",
                refusal(memory(new Memory(20L, null, 10L, null, null, null, null, null, null))));
        assertEquals("linux.resources.memory.swappiness: invalid memory swappiness value: 101 (valid range is 0-100)",
                refusal(memory(new Memory(null, null, null, null, null, 101L, null, null, null))));
        assertDoesNotThrow(() -> ResourcesCheck.check(memory(new Memory(-1L, 0L, -1L, null, null, -1L, null, null, null))));
    }

    @Test
    void cpu() {
        Resources r = new Resources(null, null, new Cpu(null, null, null, null, null, null, "0-x", null, null), null, null,
                null, null, null, null);
        assertEquals("linux.resources.cpu.cpus: must be a list like \"0-3,7\", not \"0-x\"", refusal(r));
        r = new Resources(null, null, new Cpu(null, null, null, null, null, null, null, null, 2L), null, null, null, null, null, null);
        assertEquals("linux.resources.cpu.idle: must be 0 or 1, not 2", refusal(r));
    }

    @Test
    void devices() {
        Resources r = new Resources(List.of(new DeviceCgroup(true, "c", 1L, 3L, "rwm"), new DeviceCgroup(true, "x", null, null, "r")),
                null, null, null, null, null, null, null, null);
        assertEquals("linux.resources.devices[1].type: must be \"a\", \"b\" or \"c\", not \"x\"", refusal(r));
        r = new Resources(List.of(new DeviceCgroup(false, null, null, null, "")), null, null, null, null, null, null, null, null);
        assertEquals("linux.resources.devices[0].access: must not be empty", refusal(r));
        r = new Resources(List.of(new DeviceCgroup(false, null, null, null, "rr")), null, null, null, null, null, null, null, null);
        assertEquals("linux.resources.devices[0].access: must be letters of \"rwm\", each once, not \"rr\"", refusal(r));
    }

    @Test
    void hugepagesAndUnified() {
        Resources r = new Resources(null, null, null, null, null, List.of(new HugepageLimit("2M", 1)), null, null, null);
        assertEquals("linux.resources.hugepageLimits[0].pageSize: must be a size like \"2MB\" or \"1GB\", not \"2M\"", refusal(r));
        r = new Resources(null, null, null, null, null, null, null, null, Map.of("../memory.max", "1"));
        assertEquals("linux.resources.unified.../memory.max: must be a file name (no slashes)", refusal(r));
        r = new Resources(null, null, null, null, null, null, null, null, Map.of("memory", "1"));
        assertEquals("linux.resources.unified.memory: must be in the form CONTROLLER.PARAMETER", refusal(r));
    }
}

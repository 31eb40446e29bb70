package crema.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.spec.Device;
import crema.spec.DeviceCgroup;
import crema.spec.Linux;
import crema.spec.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;

/** runc's rule order and defaults, and the v1 lines. */
class DeviceRulesTest {

    @Test
    void specRulesComeFirstAndTheDefaultsAfterThem() {
        Resources r = new Resources(List.of(new DeviceCgroup(false, null, null, null, "rwm"),
                new DeviceCgroup(true, "c", 10L, 229L, "rw")), null, null, null, null, null, null, null, null);
        List<DeviceRule> rules = DeviceRules.forContainer(V2DevicesTest.linux(r));
        assertEquals(new DeviceRule(false, 'a', -1, -1, "rwm"), rules.get(0));
        assertEquals(new DeviceRule(true, 'c', 10, 229, "rw"), rules.get(1));
        assertEquals(new DeviceRule(true, 'c', -1, -1, "m"), rules.get(2));
        assertTrue(rules.contains(new DeviceRule(true, 'c', 1, 3, "rwm")), "/dev/null");
        assertTrue(rules.contains(new DeviceRule(true, 'c', 136, -1, "rwm")), "/dev/pts/*");
        assertTrue(rules.contains(new DeviceRule(true, 'c', 10, 200, "rwm")), "/dev/net/tun");
    }

    @Test
    void theHostConsoleIsNotADefault() {
        // A container's /dev/console is its own pty (136:*), bound there; 5:1 is the host's console (runc allows it not).
        List<DeviceRule> rules = DeviceRules.forContainer(null);
        assertFalse(rules.stream().anyMatch(d -> d.type() == 'c' && d.major() == 5 && d.minor() == 1), rules.toString());
    }

    @Test
    void aLinuxDeviceAtADefaultPathReplacesThatDefault() {
        Linux linux = new Linux(null, null, null, null, null, null, null,
                List.of(new Device("c", "/dev/null", 1, 11, null, null, null)), null, null, null, null, null, null, null, null, null);
        List<DeviceRule> rules = DeviceRules.forContainer(linux);
        assertFalse(rules.contains(new DeviceRule(true, 'c', 1, 3, "rwm")));
        assertTrue(rules.contains(new DeviceRule(true, 'c', 1, 5, "rwm")));
    }

    @Test
    void v1LinesSplitANarrowAnyTypeRule() {
        assertEquals(List.of("a"), new DeviceRule(false, 'a', -1, -1, "rwm").v1Lines());
        assertEquals(List.of("c *:* m", "b *:* m"), new DeviceRule(true, 'a', -1, -1, "m").v1Lines());
        assertEquals(List.of("c 136:* rwm"), new DeviceRule(true, 'c', 136, -1, "rwm").v1Lines());
        assertEquals(List.of("b 8:0 r"), new DeviceRule(true, 'b', 8, 0, "r").v1Lines());
    }
}

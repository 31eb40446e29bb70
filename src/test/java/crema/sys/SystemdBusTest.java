package crema.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What crema hands libcremasystemd: the property records its C side reads (format in cremasystemd.c). */
class SystemdBusTest {
    @Test
    void propertiesAreEncodedAsTheCSideReadsThem() {
        byte[] b = SystemdBus.encode(List.of(new SystemdBus.Property("Delegate", "b", true),
                new SystemdBus.Property("TasksMax", "t", 20L), new SystemdBus.Property("PIDs", "au", new int[] {258}),
                new SystemdBus.Property("DeviceAllow", "a(ss)", List.of(new SystemdBus.Pair("char-*", "m")))));
        byte[] want = {'D', 'e', 'l', 'e', 'g', 'a', 't', 'e', 0, 'b', 0, 1,
                'T', 'a', 's', 'k', 's', 'M', 'a', 'x', 0, 't', 0, 20, 0, 0, 0, 0, 0, 0, 0,
                'P', 'I', 'D', 's', 0, 'a', 'u', 0, 1, 0, 0, 0, 2, 1, 0, 0,
                'D', 'e', 'v', 'i', 'c', 'e', 'A', 'l', 'l', 'o', 'w', 0, 'a', '(', 's', 's', ')', 0, 1, 0, 0, 0,
                'c', 'h', 'a', 'r', '-', '*', 0, 'm', 0};
        assertArrayEquals(want, b);
    }

    @Test
    void theVersionIsItsLeadingNumber() {
        assertEquals(252, SystemdBus.parseVersion("252.38-1~deb12u1"));
        assertEquals(245, SystemdBus.parseVersion("245"));
        assertEquals(0, SystemdBus.parseVersion("v?"));
    }
}

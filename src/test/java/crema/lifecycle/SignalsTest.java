package crema.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import crema.state.ContainerException;
import org.junit.jupiter.api.Test;

class SignalsTest {
    @Test
    void namesAndNumbers() {
        assertEquals(9, Signals.parse("9"));
        assertEquals(9, Signals.parse("KILL"));
        assertEquals(9, Signals.parse("SIGKILL"));
        assertEquals(15, Signals.parse("sigterm"));
        assertEquals(10, Signals.parse("USR1"));
        assertEquals(34, Signals.parse("RTMIN"));
        assertEquals(36, Signals.parse("SIGRTMIN+2"));
        assertEquals(62, Signals.parse("RTMAX-2"));
        assertEquals(0, Signals.parse("0"));
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(ContainerException.class, () -> Signals.parse("NOPE"));
        assertThrows(ContainerException.class, () -> Signals.parse("65"));
        assertThrows(ContainerException.class, () -> Signals.parse("RTMIN-1"));
    }
}

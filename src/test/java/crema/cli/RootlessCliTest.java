package crema.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.spec.IdMapping;
import crema.spec.Mount;
import crema.spec.Namespace;
import crema.spec.Spec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RootlessCliTest {

    @Test
    void theStateRootOfANonRootUserIsUnderItsRuntimeDir() {
        assertEquals(Path.of("/run/crema"), Globals.stateRoot(null, false, "/run/user/1000"));
        assertEquals(Path.of("/run/user/1000/crema"), Globals.stateRoot(null, true, "/run/user/1000"));
        assertEquals(Path.of("/tmp/s"), Globals.stateRoot("/tmp/s", true, null));
    }

    @Test
    void withoutXdgRuntimeDirANonRootUserMustGiveRoot() {
        UsageException e = assertThrows(UsageException.class, () -> Globals.stateRoot(null, true, null));
        assertTrue(e.getMessage().startsWith("XDG_RUNTIME_DIR is not set"), e.getMessage());
        assertTrue(assertThrows(UsageException.class, () -> Globals.stateRoot(null, true, "rel"))
                .getMessage().startsWith("XDG_RUNTIME_DIR: must be an absolute path"));
    }

    @Test
    void theRootlessSpecMapsTheCallerAndLeavesOutWhatAUserCannotHave() {
        Spec s = SpecCommand.rootless(SpecCommand.defaultSpec(true), 1000, 1001);
        assertEquals(List.of(new IdMapping(0, 1000, 1)), s.linux().uidMappings());
        assertEquals(List.of(new IdMapping(0, 1001, 1)), s.linux().gidMappings());
        List<String> types = s.linux().namespaces().stream().map(Namespace::type).toList();
        assertTrue(types.contains("user") && !types.contains("network"), types.toString());
        assertNull(s.linux().resources());
        Mount sys = s.mounts().stream().filter(m -> m.destination().equals("/sys")).findFirst().orElseThrow();
        assertEquals("/sys", sys.source());
        assertTrue(sys.options().contains("rbind") && sys.options().contains("ro"), sys.options().toString());
        for (Mount m : s.mounts()) {
            if (m.options() == null) continue;
            for (String o : m.options()) assertTrue(!o.startsWith("uid=") && !o.startsWith("gid="), m.destination() + " " + o);
        }
    }
}

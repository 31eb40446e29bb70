package crema.criu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.state.ContainerException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriuTest {
    @TempDir
    Path tmp;

    @Test
    void theFirstErrorIsCriuCheckSReasonWithoutItsSourceLocation() {
        String out = "Warn  (criu/kerndat.c:1): something\n"
                + "Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\n"
                + "Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable\n";
        assertEquals("vdso: Unexpected rt vDSO area bounds", Criu.firstError(out));
        assertEquals("mnt: No mapping for 42:(null) mountpoint",
                Criu.firstError("(00.012) Error (criu/mount.c:1): mnt: No mapping for 42:(null) mountpoint\n"));
        assertNull(Criu.firstError("Looks good.\n"));
    }

    @Test
    void aCriuThatIsNoExecutableIsRefusedByItsFlag() throws Exception {
        Path notExecutable = Files.writeString(tmp.resolve("criu"), "");
        ContainerException e = assertThrows(ContainerException.class, () -> Criu.locate(notExecutable.toString()));
        assertTrue(e.getMessage().startsWith("--criu: "), e.getMessage());
    }

    @Test
    void aFailingCriuIsOneLineNamingTheStepTheErrorAndTheLog() throws Exception {
        Path fake = tmp.resolve("fake-criu");
        Path log = tmp.resolve("dump.log");
        Files.writeString(fake, "#!/bin/sh\necho '(00.1) Error (criu/cr-dump.c:9): Dumping FAILED.' > " + log + "\nexit 1\n");
        fake.toFile().setExecutable(true);
        Criu criu = Criu.locate(fake.toString());
        ContainerException e = assertThrows(ContainerException.class, () -> criu.run("checkpoint: criu dump", java.util.List.of(), log));
        assertEquals("checkpoint: criu dump failed: criu exited with 1: Dumping FAILED.; see " + log, e.getMessage());
        // criu check with no error line of its own: its exit code is the reason
        assertEquals("criu check exited with 1", criu.checkFailure());
    }
}

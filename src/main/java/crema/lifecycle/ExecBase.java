package crema.lifecycle;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import crema.plan.PlanInputs.SeccompProgram;
import crema.spec.Spec;
import crema.state.ContainerException;
import crema.state.StateStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * What `exec` needs of a container as `create` set it up, kept in its state
 * dir: the config.json create read (the bundle may change later), the seccomp
 * filter create compiled, and whether create joined a new session keyring.
 */
final class ExecBase {
    static final String CONFIG = "config.json";
    static final String EXEC = "exec.json";

    /** The container as exec sees it. */
    record Loaded(Spec spec, SeccompProgram seccomp, boolean newKeyring) {}

    private ExecBase() {}

    static void save(Path stateDir, byte[] config, SeccompProgram seccomp, boolean newKeyring) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeBooleanField("newKeyring", newKeyring);
            if (seccomp != null) {
                g.writeNumberField("seccompFlags", seccomp.flags());
                g.writeStringField("seccompBpf", Base64.getEncoder().encodeToString(seccomp.bpf()));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StateStore.writePrivate(stateDir.resolve(CONFIG), config);
        StateStore.writePrivate(stateDir.resolve(EXEC), out.toByteArray());
    }

    static Loaded load(Path stateDir) {
        Path config = stateDir.resolve(CONFIG);
        Spec spec = Create.parseConfig(config, read(config));
        boolean newKeyring = true;
        int flags = 0;
        byte[] bpf = null;
        try (JsonParser p = new JsonFactory().createParser(read(stateDir.resolve(EXEC)))) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "newKeyring" -> newKeyring = p.getBooleanValue();
                    case "seccompFlags" -> flags = p.getIntValue();
                    case "seccompBpf" -> bpf = Base64.getDecoder().decode(p.getText());
                    default -> p.skipChildren();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new ContainerException("read " + stateDir.resolve(EXEC) + ": " + e.getMessage());
        }
        var s = spec.linux() == null ? null : spec.linux().seccomp();
        SeccompProgram seccomp = bpf == null ? null
                : new SeccompProgram(bpf, flags, s == null ? null : s.listenerPath(), s == null ? null : s.listenerMetadata());
        return new Loaded(spec, seccomp, newKeyring);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ContainerException("read " + file + ": " + e.getMessage()
                    + " (a container created by an older crema cannot be exec'd into)");
        }
    }
}

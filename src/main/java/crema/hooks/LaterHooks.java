package crema.hooks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import crema.spec.Hook;
import crema.spec.Hooks;
import crema.state.StateStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * poststart and poststop hooks, kept in the state dir (hooks.json) by create
 * for `start` and `delete`, which no longer read the bundle. No file, no hooks:
 * a container without them costs those commands nothing (not even jackson's classes).
 */
public final class LaterHooks {
    public static final String FILE = "hooks.json";

    public record Saved(List<Hook> poststart, List<Hook> poststop) {}

    private LaterHooks() {}

    public static void save(Path stateDir, Hooks hooks) {
        if (hooks == null || (empty(hooks.poststart()) && empty(hooks.poststop()))) return;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            write(g, "poststart", hooks.poststart());
            write(g, "poststop", hooks.poststop());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StateStore.writePrivate(stateDir.resolve(FILE), out.toByteArray());
    }

    public static Saved load(Path stateDir) {
        byte[] json;
        try {
            json = crema.sys.SmallFile.readIfExists(stateDir.resolve(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("read " + stateDir.resolve(FILE), e);
        }
        if (json == null) return new Saved(List.of(), List.of());
        List<Hook> poststart = new ArrayList<>(), poststop = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                read(p, name.equals("poststart") ? poststart : poststop);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("parse " + stateDir.resolve(FILE), e);
        }
        return new Saved(poststart, poststop);
    }

    private static boolean empty(List<Hook> l) {
        return l == null || l.isEmpty();
    }

    private static void write(JsonGenerator g, String name, List<Hook> hooks) throws IOException {
        g.writeArrayFieldStart(name);
        for (Hook h : hooks == null ? List.<Hook>of() : hooks) {
            g.writeStartObject();
            g.writeStringField("path", h.path());
            strings(g, "args", h.args());
            strings(g, "env", h.env());
            if (h.timeout() != null) g.writeNumberField("timeout", h.timeout());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        if (values == null) return;
        g.writeArrayFieldStart(name);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }

    private static void read(JsonParser p, List<Hook> into) throws IOException {
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String path = null;
            List<String> args = null, env = null;
            Integer timeout = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "path" -> path = p.getText();
                    case "args" -> args = readStrings(p);
                    case "env" -> env = readStrings(p);
                    case "timeout" -> timeout = p.getIntValue();
                    default -> p.skipChildren();
                }
            }
            into.add(new Hook(path, args, env, timeout));
        }
    }

    private static List<String> readStrings(JsonParser p) throws IOException {
        List<String> l = new ArrayList<>();
        while (p.nextToken() == JsonToken.VALUE_STRING) l.add(p.getText());
        return l;
    }
}

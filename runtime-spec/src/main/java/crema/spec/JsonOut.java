package crema.spec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Writes pretty JSON (two-space indent, {@code "name": value}, one array element per line).
 * Each field method skips a null value, so absent fields are omitted; calls chain.
 */
final class JsonOut {

    /** Writes the fields of one value into the object that is open. */
    interface Body<T> {
        void write(JsonOut out, T value);
    }

    private static final DefaultPrettyPrinter PRETTY;

    static {
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        PRETTY = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withObjectEmptySeparator("")
                        .withArrayEmptySeparator(""))
                .withObjectIndenter(indent)
                .withArrayIndenter(indent);
    }

    private interface Io {
        void run() throws IOException;
    }

    private final JsonGenerator g;

    private JsonOut(JsonGenerator g) {
        this.g = g;
    }

    /** {@code value} as a pretty JSON object followed by a newline. */
    static <T> byte[] document(T value, Body<T> body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = JsonIn.FACTORY.createGenerator(bytes)) {
            g.setPrettyPrinter(PRETTY.createInstance());
            g.writeStartObject();
            body.write(new JsonOut(g), value);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bytes.write('\n');
        return bytes.toByteArray();
    }

    private JsonOut io(Io action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    JsonOut string(String name, String value) {
        return value == null ? this : io(() -> g.writeStringField(name, value));
    }

    JsonOut bool(String name, Boolean value) {
        return value == null ? this : io(() -> g.writeBooleanField(name, value));
    }

    /** A signed integer (int, Integer, long or Long). */
    JsonOut number(String name, Number value) {
        return value == null ? this : io(() -> g.writeNumberField(name, value.longValue()));
    }

    /** A uint64 held as an unsigned bit pattern: -1L is written as 18446744073709551615. */
    JsonOut unsigned(String name, Long value) {
        return value == null ? this : io(() -> {
            g.writeFieldName(name);
            g.writeNumber(Long.toUnsignedString(value));
        });
    }

    JsonOut strings(String name, List<String> values) {
        return values == null ? this : io(() -> {
            g.writeArrayFieldStart(name);
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        });
    }

    JsonOut numbers(String name, List<Long> values) {
        return values == null ? this : io(() -> {
            g.writeArrayFieldStart(name);
            for (long v : values) {
                g.writeNumber(v);
            }
            g.writeEndArray();
        });
    }

    JsonOut stringMap(String name, Map<String, String> values) {
        return values == null ? this : io(() -> {
            g.writeObjectFieldStart(name);
            for (Map.Entry<String, String> e : values.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        });
    }

    <T> JsonOut object(String name, T value, Body<T> body) {
        return value == null ? this : io(() -> {
            g.writeObjectFieldStart(name);
            body.write(this, value);
            g.writeEndObject();
        });
    }

    <T> JsonOut objects(String name, List<T> values, Body<T> body) {
        return values == null ? this : io(() -> {
            g.writeArrayFieldStart(name);
            for (T v : values) {
                g.writeStartObject();
                body.write(this, v);
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /** An object whose values are objects, e.g. {@code linux.netDevices}. */
    <T> JsonOut objectMap(String name, Map<String, T> values, Body<T> body) {
        return values == null ? this : io(() -> {
            g.writeObjectFieldStart(name);
            for (Map.Entry<String, T> e : values.entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                body.write(this, e.getValue());
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }
}

package crema.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads a JSON document into a small tree (Map, List, String, Long, BigInteger, BigDecimal,
 * Boolean, null) and gives typed access to it through {@link Obj}, which names the JSON path
 * of whatever is missing or of the wrong type. JSON null reads as absent.
 */
final class JsonIn {

    static final JsonFactory FACTORY = new JsonFactory();

    private JsonIn() {
    }

    /** The integer types of the spec, with their ranges. uint64 values are held as unsigned bit patterns. */
    enum Kind {
        INT32("int32", Integer.MIN_VALUE, Integer.MAX_VALUE),
        UINT16("uint16", 0, 0xFFFF),
        UINT32("uint32", 0, 0xFFFF_FFFFL),
        INT64("int64", Long.MIN_VALUE, Long.MAX_VALUE),
        UINT64("uint64", 0, Long.MAX_VALUE); // plus 2^63..2^64-1, which arrive as BigInteger

        private final String label;
        private final long min;
        private final long max;

        Kind(String label, long min, long max) {
            this.label = label;
            this.min = min;
            this.max = max;
        }
    }

    /** Parses {@code json}, whose top level must be an object; {@code document} names it in errors. */
    static Obj parseObject(byte[] json, String document) {
        Object root;
        // The spec's JSON is UTF-8: decode strictly first, rather than let Jackson guess UTF-16 or UTF-32.
        char[] text;
        try {
            var chars = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(json));
            text = new char[chars.remaining()];
            chars.get(text);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new SpecException(document, "invalid JSON: not UTF-8");
        }
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() == null) {
                throw invalid(document, p.currentLocation(), "no JSON value");
            }
            root = value(p);
            if (p.nextToken() != null) {
                throw invalid(document, p.currentTokenLocation(), "unexpected content after the top-level value");
            }
        } catch (JsonProcessingException e) {
            throw invalid(document, e.getLocation(), tidy(e.getOriginalMessage()));
        } catch (NumberFormatException e) {
            throw new SpecException(document, "invalid JSON: a number out of any range: " + e.getMessage());
        } catch (IOException e) {
            throw new SpecException(document, "invalid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?>)) {
            throw new SpecException(document, "must be a JSON object");
        }
        return new Obj(cast(root), "");
    }

    private static SpecException invalid(String document, JsonLocation at, String message) {
        String where = at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
        return new SpecException(document, "invalid JSON" + where + ": " + message);
    }

    /** Shortens Jackson's nested locations, "[Source: REDACTED (...); line: 4, column: 13]". */
    private static String tidy(String message) {
        return Pattern.compile("\\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)\\]")
                .matcher(message)
                .replaceAll("line $1 column $2");
    }

    private static Object value(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    p.nextToken();
                    map.put(name, value(p));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p));
                }
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? p.getBigIntegerValue() : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalStateException("unexpected token " + p.currentToken());
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object map) {
        return (Map<String, Object>) map;
    }

    /** A JSON object at a path ("" for the top level). Getters return null (or 0/false) for absent fields. */
    static final class Obj {
        private final Map<String, Object> fields;
        private final String path;

        private Obj(Map<String, Object> fields, String path) {
            this.fields = fields;
            this.path = path;
        }

        /** The path of field {@code key} of this object. */
        String at(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        String string(String key) {
            Object v = fields.get(key);
            return v == null ? null : string(v, at(key));
        }

        /** A field that must be present as a string ({@code "must be a string"} when absent or null). */
        String requiredString(String key) {
            return string(fields.get(key), at(key));
        }

        boolean bool(String key) {
            Boolean b = optBool(key);
            return b != null && b;
        }

        Boolean optBool(String key) {
            Object v = fields.get(key);
            if (v == null || v instanceof Boolean) {
                return (Boolean) v;
            }
            throw new SpecException(at(key), "must be a boolean");
        }

        /** An integer field, 0 when absent. */
        long integer(String key, Kind kind) {
            Long n = optInteger(key, kind);
            return n == null ? 0 : n;
        }

        Long optInteger(String key, Kind kind) {
            Object v = fields.get(key);
            return v == null ? null : integer(v, at(key), kind);
        }

        /** An INT32 or UINT16 field as an Integer, null when absent. */
        Integer optInt(String key, Kind kind) {
            Long n = optInteger(key, kind);
            return n == null ? null : Math.toIntExact(n);
        }

        List<String> strings(String key) {
            return list(key, Obj::string, false);
        }

        /** A string array that must be present and non-empty. */
        List<String> nonEmptyStrings(String key) {
            return list(key, Obj::string, true);
        }

        List<Long> integers(String key, Kind kind) {
            return list(key, (v, p) -> integer(v, p, kind), false);
        }

        Map<String, String> stringMap(String key) {
            return map(key, Obj::string);
        }

        /** The object field {@code key} read by {@code read}, null when absent. */
        <T> T object(String key, Function<Obj, T> read) {
            Object v = fields.get(key);
            return v == null ? null : read.apply(object(v, at(key)));
        }

        <T> List<T> objects(String key, Function<Obj, T> read) {
            return list(key, (v, p) -> read.apply(object(v, p)), false);
        }

        /** An object whose values are objects, e.g. {@code linux.netDevices}. */
        <T> Map<String, T> objectMap(String key, Function<Obj, T> read) {
            return map(key, (v, p) -> read.apply(object(v, p)));
        }

        /** Reads one array element or map value; null is of the wrong type like any other mismatch. */
        private interface Element<T> {
            T read(Object value, String path);
        }

        private <T> List<T> list(String key, Element<T> element, boolean nonEmpty) {
            Object v = fields.get(key);
            String p = at(key);
            if (nonEmpty && (!(v instanceof List<?> l) || l.isEmpty())) {
                throw new SpecException(p, "must be a non-empty array");
            }
            if (v == null) {
                return null;
            }
            if (!(v instanceof List<?> values)) {
                throw new SpecException(p, "must be an array");
            }
            List<T> out = new ArrayList<>(values.size());
            for (int i = 0; i < values.size(); i++) {
                out.add(element.read(values.get(i), p + "[" + i + "]"));
            }
            return List.copyOf(out);
        }

        private <T> Map<String, T> map(String key, Element<T> element) {
            Object v = fields.get(key);
            if (v == null) {
                return null;
            }
            String p = at(key);
            if (!(v instanceof Map<?, ?>)) {
                throw new SpecException(p, "must be an object");
            }
            Map<String, T> out = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : cast(v).entrySet()) {
                out.put(e.getKey(), element.read(e.getValue(), p + "[\"" + e.getKey() + "\"]"));
            }
            return Collections.unmodifiableMap(out);
        }

        private static String string(Object v, String path) {
            if (v instanceof String s) {
                return s;
            }
            throw new SpecException(path, "must be a string");
        }

        private static Obj object(Object v, String path) {
            if (v instanceof Map<?, ?>) {
                return new Obj(cast(v), path);
            }
            throw new SpecException(path, "must be an object");
        }

        private static Long integer(Object v, String path, Kind kind) {
            if (v instanceof Long n) {
                if (n >= kind.min && n <= kind.max) {
                    return n;
                }
            } else if (v instanceof BigInteger n) {
                if (kind == Kind.UINT64 && n.signum() > 0 && n.bitLength() <= 64) {
                    return n.longValue();
                }
            } else if (v instanceof BigDecimal) {
                throw new SpecException(path, "must be an integer");
            } else {
                throw new SpecException(path, "must be a number");
            }
            throw new SpecException(path, v + " is out of range for " + kind.label);
        }
    }
}

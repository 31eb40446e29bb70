package crema.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for crema's own small files (state.json) and the `state`/`list`
 * output: a reader into maps, lists, strings, longs, doubles and booleans, and
 * a writer of one pretty object. jackson-core's first use costs ~8 ms of class
 * loading and initialisation, on commands (state, kill, start) whose whole
 * budget is a few ms; these files need none of its generality.
 */
public final class SmallJson {
    private final String text;
    private int at;

    private SmallJson(String text) {
        this.text = text;
    }

    /** One JSON value; trailing non-space text is an error. */
    public static Object parse(byte[] utf8) throws IOException {
        SmallJson p = new SmallJson(new String(utf8, StandardCharsets.UTF_8));
        Object v = p.value(0);
        p.space();
        if (p.at != p.text.length()) throw p.error("text after the value");
        return v;
    }

    private static final int MAX_DEPTH = 64;

    private Object value(int depth) throws IOException {
        if (depth > MAX_DEPTH) throw error("nested too deeply");
        space();
        if (at >= text.length()) throw error("unexpected end");
        char c = text.charAt(at);
        switch (c) {
            case '{': return object(depth);
            case '[': return array(depth);
            case '"': return string();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("unexpected '" + c + "'");
        }
    }

    private Map<String, Object> object(int depth) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        at++;
        space();
        if (peek() == '}') {
            at++;
            return m;
        }
        while (true) {
            space();
            if (peek() != '"') throw error("expected a field name");
            String name = string();
            space();
            expect(':');
            m.put(name, value(depth + 1));
            space();
            if (peek() == ',') {
                at++;
                continue;
            }
            expect('}');
            return m;
        }
    }

    private List<Object> array(int depth) throws IOException {
        List<Object> l = new ArrayList<>();
        at++;
        space();
        if (peek() == ']') {
            at++;
            return l;
        }
        while (true) {
            l.add(value(depth + 1));
            space();
            if (peek() == ',') {
                at++;
                continue;
            }
            expect(']');
            return l;
        }
    }

    private String string() throws IOException {
        at++; // the opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            if (at >= text.length()) throw error("unterminated string");
            char c = text.charAt(at++);
            if (c == '"') return b.toString();
            if (c < 0x20) throw error("control character in a string");
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (at >= text.length()) throw error("unterminated string");
            char e = text.charAt(at++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) throw error("short \\u escape");
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(text.charAt(at++), 16);
                        if (d < 0) throw error("bad \\u escape");
                        code = code * 16 + d;
                    }
                    b.append((char) code); // surrogate pairs arrive as two escapes, in order
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() throws IOException {
        int start = at;
        if (peek() == '-') at++;
        boolean integral = true;
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c >= '0' && c <= '9') {
                at++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                integral = false;
                at++;
            } else {
                break;
            }
        }
        String n = text.substring(start, at);
        try {
            return integral ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
        } catch (NumberFormatException e) {
            throw error("bad number " + n);
        }
    }

    private Object literal(String word, Object v) throws IOException {
        if (!text.startsWith(word, at)) throw error("unexpected word");
        at += word.length();
        return v;
    }

    private void space() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
            at++;
        }
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : 0;
    }

    private void expect(char c) throws IOException {
        if (peek() != c) throw error("expected '" + c + "'");
        at++;
    }

    private IOException error(String what) {
        return new IOException("invalid JSON at offset " + at + ": " + what);
    }

    /** A pretty JSON object, two-space indent, fields in the order written. */
    public static final class ObjectWriter {
        private final StringBuilder out = new StringBuilder(512);
        private final String indent;
        private boolean first = true;

        /** {@code level}: how deep this object is nested (0 for a document), for its indent. */
        public ObjectWriter(int level) {
            indent = "  ".repeat(level + 1);
            out.append('{');
        }

        private StringBuilder name(String name) {
            out.append(first ? "\n" : ",\n").append(indent);
            first = false;
            quote(out, name);
            return out.append(": ");
        }

        public ObjectWriter field(String name, String value) {
            if (value != null) quote(name(name), value);
            return this;
        }

        public ObjectWriter field(String name, long value) {
            name(name).append(value);
            return this;
        }

        public ObjectWriter field(String name, boolean value) {
            name(name).append(value);
            return this;
        }

        public ObjectWriter field(String name, List<String> values) {
            StringBuilder b = name(name).append('[');
            for (int i = 0; i < values.size(); i++) quote(b.append(i == 0 ? "" : ", "), values.get(i));
            b.append(']');
            return this;
        }

        public ObjectWriter field(String name, Map<String, String> values) {
            ObjectWriter inner = new ObjectWriter(indent.length() / 2);
            for (Map.Entry<String, String> e : values.entrySet()) inner.field(e.getKey(), e.getValue());
            name(name).append(inner);
            return this;
        }

        @Override
        public String toString() {
            return first ? out + "}" : out + "\n" + indent.substring(2) + "}";
        }
    }

    /** {@code s} as a JSON string: quotes, backslashes and control characters escaped. */
    public static StringBuilder quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append("\\u").append(Integer.toHexString(c | 0x10000), 1, 5);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}

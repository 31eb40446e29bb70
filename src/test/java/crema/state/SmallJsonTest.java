package crema.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmallJsonTest {

    private static Object parse(String s) throws IOException {
        return SmallJson.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsEveryKindOfValue() throws IOException {
        Object v = parse(" {\"s\": \"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00\", \"n\": -12, \"big\": 9223372036854775807,"
                + " \"d\": 1.5e3, \"t\": true, \"f\": false, \"z\": null, \"l\": [1, [], {}], \"o\": {\"k\": \"v\"}} ");
        Map<String, Object> want = new LinkedHashMap<>();
        want.put("s", "a\"b\\c/\né\uD83D\uDE00");
        want.put("n", -12L);
        want.put("big", Long.MAX_VALUE);
        want.put("d", 1500.0);
        want.put("t", true);
        want.put("f", false);
        want.put("z", null);
        want.put("l", List.of(1L, List.of(), Map.of()));
        want.put("o", Map.of("k", "v"));
        assertEquals(want, v);
    }

    @Test
    void refusesBrokenInputWithItsOffset() {
        for (String bad : new String[] {"", "{", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "\"abc", "\"\\x\"", "\"\\u12\"",
                "tru", "{} x", "1e", "99999999999999999999", "\"a\u0001\"", "[".repeat(100) + "]".repeat(100)}) {
            IOException e = assertThrows(IOException.class, () -> parse(bad), bad);
            assertEquals(true, e.getMessage().startsWith("invalid JSON at offset "), e.getMessage());
        }
    }

    @Test
    void writesWhatItReads() throws IOException {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("quote\"", "line\nbreak\u0001\u2028");
        annotations.put("é", "😀");
        String text = new SmallJson.ObjectWriter(0).field("s", "x").field("n", -5L).field("b", true)
                .field("l", List.of("a", "b\\")).field("e", List.of()).field("m", annotations).field("none", Map.of())
                .field("skipped", (String) null).toString();
        assertEquals("""
                {
                  "s": "x",
                  "n": -5,
                  "b": true,
                  "l": ["a", "b\\\\"],
                  "e": [],
                  "m": {
                    "quote\\"": "line\\nbreak\\u0001\\u2028",
                    "é": "😀"
                  },
                  "none": {}
                }""", text);
        Map<String, Object> back = (Map<String, Object>) parse(text);
        assertEquals(annotations, back.get("m"));
        assertEquals(List.of("a", "b\\"), back.get("l"));
    }

    @Test
    void stateRecordRoundTrips() throws IOException {
        ContainerRecord r = new ContainerRecord("1.3.0", "id-1", 42, 123456789012L, "/b \"q\"", "/b/rootfs",
                "2026-01-01T00:00:00Z", "root", Map.of("k", "v"), List.of("/sys/fs/cgroup/memory/x"), List.of(), true);
        assertEquals(r, RecordJson.parse(RecordJson.write(r)));
    }

    @Test
    void readsStateWrittenByEarlierVersions() throws IOException {
        // jackson-core wrote state.json before: "name" : value, no newlines
        String old = "{\"ociVersion\":\"1.3.0\",\"id\":\"c\",\"pid\":7,\"initStartTime\":99,\"bundle\":\"/b\","
                + "\"rootfs\":\"/b/r\",\"created\":\"t\",\"owner\":\"root\",\"annotations\":{},\"cgroupDirs\":[\"/x\"],"
                + "\"createdCgroupDirs\":[],\"systemdCgroup\":false}";
        ContainerRecord r = RecordJson.parse(old.getBytes(StandardCharsets.UTF_8));
        assertEquals(7, r.pid());
        assertEquals(99L, r.initStartTime());
        assertEquals(List.of("/x"), r.cgroupDirs());
    }
}

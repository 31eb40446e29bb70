package crema.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateJsonTest {

    @Test
    void writesStateAndReadsItBack() {
        State state = new State("1.3.0", "web-1", "running", 4242, "/srv/bundles/web-1",
                Map.of("org.example.owner", "ops"));
        String expected = """
                {
                  "ociVersion": "1.3.0",
                  "id": "web-1",
                  "status": "running",
                  "pid": 4242,
                  "bundle": "/srv/bundles/web-1",
                  "annotations": {
                    "org.example.owner": "ops"
                  }
                }
                """;
        byte[] json = StateJson.write(state);
        assertEquals(expected, new String(json, StandardCharsets.UTF_8));
        assertEquals(state, StateJson.parse(json));
    }

    @Test
    void alwaysWritesPidAndOmitsEmptyAnnotations() {
        String expected = """
                {
                  "ociVersion": "1.3.0",
                  "id": "c",
                  "status": "stopped",
                  "pid": 0,
                  "bundle": "/b"
                }
                """;
        assertEquals(expected, new String(StateJson.write(new State("1.3.0", "c", "stopped", 0, "/b", Map.of())),
                StandardCharsets.UTF_8));
        State noAnnotations = new State("1.3.0", "c", "stopped", 0, "/b", null);
        assertEquals(expected, new String(StateJson.write(noAnnotations), StandardCharsets.UTF_8));
        assertEquals(noAnnotations, StateJson.parse(StateJson.write(noAnnotations)));
    }

    @Test
    void parseReportsStateJsonPaths() {
        byte[] noId = "{\"ociVersion\": \"1.3.0\", \"status\": \"created\", \"bundle\": \"/b\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals("id: must be a string", assertThrows(SpecException.class, () -> StateJson.parse(noId)).getMessage());
        byte[] broken = "{\"id\": ".getBytes(StandardCharsets.UTF_8);
        String message = assertThrows(SpecException.class, () -> StateJson.parse(broken)).getMessage();
        assertEquals(true, message.startsWith("state.json: invalid JSON at line 1 column 8: "), message);
    }
}

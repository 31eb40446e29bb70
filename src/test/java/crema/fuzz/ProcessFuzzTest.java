package crema.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A process.json, as `exec --process` takes it, put where config.json has its process. */
class ProcessFuzzTest {
    private static final byte[] HEAD = ("{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"},"
            + " \"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"pid\"}]}, \"process\": ")
            .getBytes(StandardCharsets.UTF_8);

    @FuzzTest(maxDuration = "60s")
    void processJson(byte[] data) {
        // as `exec --process` reads it on its own
        try {
            crema.spec.SpecParser.parseProcess(data, "process.json");
        } catch (crema.spec.SpecException e) {
            if (!e.getMessage().contains(": ")) throw new AssertionError("an error without a path: " + e.getMessage());
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        json.writeBytes(HEAD);
        json.writeBytes(data);
        json.write('}');
        FuzzTarget.config(json.toByteArray());
    }
}

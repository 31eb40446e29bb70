package crema.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecJsonTest {

    @Test
    void fullConfigRoundTrips() throws IOException {
        Spec spec = SpecParser.parseConfig(SpecParserTest.sampleConfig());
        byte[] written = SpecJson.write(spec);
        assertEquals(spec, SpecParser.parseConfig(written));
        assertArrayEquals(written, SpecJson.write(SpecParser.parseConfig(written)));
    }

    @Test
    void writesPrettyJsonWithoutNullFields() {
        Spec spec = new Spec("1.3.0",
                new Process(true, null, new User(0, 0, null, null, null), List.of("sh"), null,
                        List.of("TERM=xterm"), "/", new Capabilities(List.of("CAP_KILL"), null, null, null, null),
                        List.of(new Rlimit("RLIMIT_NOFILE", -1L, 1024)), true, null, null, null, null, null, null),
                new Root("rootfs", true), "crema", null,
                List.of(new Mount("/proc", "proc", "proc", null, null, null)),
                null, Map.of(),
                new Linux(null, null, null, null, new Resources(List.of(new DeviceCgroup(false, null, null, null, "rwm")),
                        null, null, null, null, null, null, null, null), null,
                        List.of(new Namespace("pid", null)), null, null, null, List.of(), null, null, null, null, null,
                        null));
        String expected = """
                {
                  "ociVersion": "1.3.0",
                  "process": {
                    "terminal": true,
                    "user": {
                      "uid": 0,
                      "gid": 0
                    },
                    "args": [
                      "sh"
                    ],
                    "env": [
                      "TERM=xterm"
                    ],
                    "cwd": "/",
                    "capabilities": {
                      "bounding": [
                        "CAP_KILL"
                      ]
                    },
                    "rlimits": [
                      {
                        "type": "RLIMIT_NOFILE",
                        "hard": 18446744073709551615,
                        "soft": 1024
                      }
                    ],
                    "noNewPrivileges": true
                  },
                  "root": {
                    "path": "rootfs",
                    "readonly": true
                  },
                  "hostname": "crema",
                  "mounts": [
                    {
                      "destination": "/proc",
                      "type": "proc",
                      "source": "proc"
                    }
                  ],
                  "annotations": {},
                  "linux": {
                    "resources": {
                      "devices": [
                        {
                          "allow": false,
                          "access": "rwm"
                        }
                      ]
                    },
                    "namespaces": [
                      {
                        "type": "pid"
                      }
                    ],
                    "maskedPaths": []
                  }
                }
                """;
        assertEquals(expected, new String(SpecJson.write(spec), StandardCharsets.UTF_8));
        assertEquals(spec, SpecParser.parseConfig(SpecJson.write(spec)));
    }
}

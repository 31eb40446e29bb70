package crema.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeaturesJsonTest {

    @Test
    void writesFeaturesOmittingUnknowns() {
        Features features = new Features("1.0.0", "1.3.0", List.of("prestart", "poststop"), List.of("ro", "rbind"),
                new Features.Linux(
                        List.of("pid", "time"),
                        List.of("CAP_KILL"),
                        new Features.Cgroup(true, true, false, false, null),
                        new Features.Seccomp(true, List.of("SCMP_ACT_ALLOW"), List.of("SCMP_CMP_EQ"),
                                List.of("SCMP_ARCH_X86_64"), List.of("SECCOMP_FILTER_FLAG_LOG"), List.of()),
                        new Features.Apparmor(false),
                        new Features.Selinux(null),
                        new Features.IntelRdt(false, false, false),
                        new Features.MemoryPolicy(List.of("MPOL_BIND"), List.of("MPOL_F_STATIC_NODES")),
                        new Features.MountExtensions(new Features.IdMap(true)),
                        new Features.NetDevices(true)),
                Map.of("org.example.crema.version", "0.1.0"),
                List.of("org.example.unsafe."));
        String expected = """
                {
                  "ociVersionMin": "1.0.0",
                  "ociVersionMax": "1.3.0",
                  "hooks": [
                    "prestart",
                    "poststop"
                  ],
                  "mountOptions": [
                    "ro",
                    "rbind"
                  ],
                  "linux": {
                    "namespaces": [
                      "pid",
                      "time"
                    ],
                    "capabilities": [
                      "CAP_KILL"
                    ],
                    "cgroup": {
                      "v1": true,
                      "v2": true,
                      "systemd": false,
                      "systemdUser": false
                    },
                    "seccomp": {
                      "enabled": true,
                      "actions": [
                        "SCMP_ACT_ALLOW"
                      ],
                      "operators": [
                        "SCMP_CMP_EQ"
                      ],
                      "archs": [
                        "SCMP_ARCH_X86_64"
                      ],
                      "knownFlags": [
                        "SECCOMP_FILTER_FLAG_LOG"
                      ],
                      "supportedFlags": []
                    },
                    "apparmor": {
                      "enabled": false
                    },
                    "selinux": {},
                    "intelRdt": {
                      "enabled": false,
                      "schemata": false,
                      "monitoring": false
                    },
                    "memoryPolicy": {
                      "modes": [
                        "MPOL_BIND"
                      ],
                      "flags": [
                        "MPOL_F_STATIC_NODES"
                      ]
                    },
                    "mountExtensions": {
                      "idmap": {
                        "enabled": true
                      }
                    },
                    "netDevices": {
                      "enabled": true
                    }
                  },
                  "annotations": {
                    "org.example.crema.version": "0.1.0"
                  },
                  "potentiallyUnsafeConfigAnnotations": [
                    "org.example.unsafe."
                  ]
                }
                """;
        assertEquals(expected, new String(FeaturesJson.write(features), StandardCharsets.UTF_8));
    }

    @Test
    void writesOnlyVersionsWhenNothingElseIsKnown() {
        assertEquals("""
                {
                  "ociVersionMin": "1.0.0",
                  "ociVersionMax": "1.3.0"
                }
                """, new String(FeaturesJson.write(new Features("1.0.0", "1.3.0", null, null, null, null, null)),
                StandardCharsets.UTF_8));
    }
}

package crema.plan;

import static crema.plan.Linux.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.plan.LaunchPlan.MountKind;
import crema.plan.LaunchPlan.MountStep;
import crema.spec.Spec;
import crema.spec.SpecParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanBuilderTest {
    private static final Path BUNDLE = Path.of("/bundles/b1");

    static final String BASE = """
            {"ociVersion": "1.3.0",
             "process": {"args": ["sh"], "cwd": "/", "env": ["PATH=/bin"],
                         "user": {"uid": 1, "gid": 2, "umask": 18, "additionalGids": [3, 4]},
                         "capabilities": {"bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"],
                                          "permitted": ["CAP_KILL"], "ambient": ["CAP_KILL"]},
                         "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 20},
                                     {"type": "RLIMIT_CORE", "soft": 18446744073709551615, "hard": 18446744073709551615}],
                         "noNewPrivileges": true, "oomScoreAdj": 5},
             "root": {"path": "rootfs", "readonly": true},
             "hostname": "h",
             "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=64k"]},
                        {"destination": "data", "type": "bind", "source": "host-data", "options": ["rbind", "ro", "rprivate"]},
                        {"destination": "/etc/f", "type": "none", "source": "/host/file", "options": ["bind", "rro", "rnoexec"]},
                        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "ro"]}],
             "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"},
                                      {"type": "network", "path": "/proc/42/ns/net"}],
                       "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0}],
                       "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"]}}
            """;

    static Spec spec(String json) {
        return SpecParser.parseConfig(json.getBytes(StandardCharsets.UTF_8));
    }

    static LaunchPlan plan(String json) {
        return PlanBuilder.build(spec(json), new PlanInputs(BUNDLE, "/run/crema/x", 2, false, true,
                List.of(new PlanInputs.CgroupDir("memory", Path.of("/sys/fs/cgroup/memory/x")),
                        new PlanInputs.CgroupDir("pids", Path.of("/sys/fs/cgroup/pids/x"))),
                true, p -> !p.toString().equals("/host/file")));
    }

    @Test
    void namespacesSplitIntoCloneFlagsAndJoins() {
        LaunchPlan p = plan(BASE);
        assertEquals(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS, p.cloneFlags());
        assertEquals(List.of(new LaunchPlan.NamespaceJoin(CLONE_NEWNET, "/proc/42/ns/net")), p.joins());
        assertEquals("h", p.hostname());
    }

    @Test
    void rootfsIsResolvedAgainstTheBundle() {
        LaunchPlan p = plan(BASE);
        assertEquals("/bundles/b1/rootfs", p.rootfs());
        assertTrue(p.rootfsReadonly());
        assertEquals(MS_REC | MS_SLAVE, p.rootPropagation());
        assertEquals(0, p.rootfsPropagationAfter());
    }

    @Test
    void mountsBecomeFlagsAndData() {
        List<MountStep> m = plan(BASE).mounts();
        assertEquals(new MountStep(MountKind.FILESYSTEM, false, 0, 0, 0, 0, "proc", "/proc", "proc", ""), m.get(0));
        assertEquals(new MountStep(MountKind.FILESYSTEM, false, MS_NOSUID, 0, 0, 0, "tmpfs", "/dev", "tmpfs",
                "mode=755,size=64k"), m.get(1));
        assertEquals(new MountStep(MountKind.BIND, false, MS_BIND | MS_REC | MS_RDONLY, MS_PRIVATE | MS_REC, 0, 0,
                "/bundles/b1/host-data", "/data", "", ""), m.get(2));
        assertEquals(new MountStep(MountKind.BIND, true, MS_BIND, 0, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC, 0,
                "/host/file", "/etc/f", "", ""), m.get(3));
    }

    @Test
    void aCgroupMountOnV1IsATmpfsWithABindPerHierarchy() {
        List<MountStep> m = plan(BASE).mounts();
        assertEquals(new MountStep(MountKind.FILESYSTEM, false, MS_NOSUID, 0, 0, 0, "tmpfs", "/sys/fs/cgroup", "tmpfs",
                "mode=755"), m.get(4));
        assertEquals(new MountStep(MountKind.BIND, false, MS_BIND | MS_NOSUID | MS_RDONLY, 0, 0, 0,
                "/sys/fs/cgroup/memory/x", "/sys/fs/cgroup/memory", "", ""), m.get(5));
        assertEquals("/sys/fs/cgroup/pids", m.get(6).destination());
        assertEquals(MS_NOSUID | MS_REMOUNT | MS_RDONLY, m.get(7).flags());
        assertEquals(8, m.size());
    }

    @Test
    void defaultDevicesAndLinksComeFirstAndConfiguredOnesAfter() {
        LaunchPlan p = plan(BASE);
        assertEquals(List.of("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/fuse"),
                p.devices().stream().map(LaunchPlan.DeviceNode::path).toList());
        assertEquals(new LaunchPlan.DeviceNode(S_IFCHR, 10, 229, 0666, 0, 0, false, "/dev/fuse"), p.devices().get(6));
        assertTrue(p.symlinks().contains(new LaunchPlan.Symlink("pts/ptmx", "/dev/ptmx")));
        assertTrue(p.symlinks().contains(new LaunchPlan.Symlink("/proc/kcore", "/dev/core")));
    }

    @Test
    void processAttributes() {
        LaunchPlan p = plan(BASE);
        assertEquals(List.of("sh"), p.args());
        assertEquals(1, p.uid());
        assertEquals(2, p.gid());
        assertEquals(18L, p.umask());
        assertEquals(List.of(3L, 4L), p.additionalGids());
        assertEquals(new LaunchPlan.RlimitStep(7, 10, 20), p.rlimits().get(0));
        assertEquals(new LaunchPlan.RlimitStep(4, -1L, -1L), p.rlimits().get(1));
        assertEquals(new LaunchPlan.CapabilitySets(0x21, 0x20, 0, 0x20, 0x20), p.capabilities());
        assertTrue(p.noNewPrivileges());
        assertTrue(p.newKeyring());
        assertEquals(5, p.oomScoreAdj());
        assertEquals(List.of("/proc/kcore"), p.maskedPaths());
        assertEquals(List.of("/proc/sys"), p.readonlyPaths());
        assertEquals("/run/crema/x", p.fifoDir());
        assertEquals(2, p.preserveFds());
    }

    @Test
    void aBindOfDevSkipsDeviceCreation() {
        LaunchPlan p = plan(BASE.replace("{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"",
                "{\"destination\": \"/dev\", \"type\": \"bind\", \"source\": \"/dev\""));
        assertEquals(List.of(), p.devices());
        assertEquals(List.of(), p.symlinks());
    }

    @Test
    void rootfsPropagationIsAppliedBeforeAndAfter() {
        LaunchPlan p = plan(BASE.replace("\"linux\": {", "\"linux\": {\"rootfsPropagation\": \"rshared\", "));
        assertEquals(MS_SHARED | MS_REC, p.rootPropagation());
        assertEquals(MS_SHARED | MS_REC, p.rootfsPropagationAfter());
    }

    private static void assertInvalid(String json, String message) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> plan(json));
        assertEquals(message, e.getMessage());
    }

    @Test
    void validationNamesTheField() {
        assertInvalid(BASE.replace("{\"type\": \"uts\"}", "{\"type\": \"pid\"}"),
                "linux.namespaces[2]: duplicate namespace type \"pid\"");
        assertInvalid(BASE.replace("{\"type\": \"mount\"}, ", ""), "linux.namespaces: a new mount namespace is required");
        assertInvalid(BASE.replace("{\"type\": \"uts\"},", ""), "hostname: cannot be set without a private UTS namespace");
        assertInvalid(BASE.replace("\"CAP_CHOWN\"", "\"CAP_NOPE\""), "process.capabilities.bounding[1]: unknown capability \"CAP_NOPE\"");
        assertInvalid(BASE.replace("RLIMIT_CORE", "RLIMIT_NOPE"), "process.rlimits[1].type: unknown rlimit \"RLIMIT_NOPE\"");
        assertInvalid(BASE.replace("RLIMIT_CORE", "RLIMIT_NOFILE"), "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"");
        assertInvalid(BASE.replace("\"soft\": 10", "\"soft\": 30"), "process.rlimits[0]: soft limit is above the hard limit");
        assertInvalid(BASE.replace("\"cwd\": \"/\"", "\"cwd\": \"rel\""), "process.cwd: must be an absolute path");
        assertInvalid(BASE.replace("PATH=/bin", "PATH"), "process.env[0]: must be KEY=VALUE");
        assertInvalid(BASE.replace("\"umask\": 18", "\"umask\": 4096"), "process.user.umask: must be between 0 and 0777");
        assertInvalid(BASE.replace("\"source\": \"host-data\", ", ""), "mounts[2].source: must be set for a bind mount");
        assertInvalid(BASE.replace("\"rprivate\"", "\"tmpcopyup\""), "mounts[2].options[2]: mount option \"tmpcopyup\" is not supported yet");
        assertInvalid(BASE.replace("\"type\": \"c\"", "\"type\": \"x\""), "linux.devices[0].type: unknown device type \"x\"");
        assertInvalid(BASE.replace("\"/proc/sys\"", "\"proc/sys\""), "linux.readonlyPaths[0]: must be an absolute path");
        assertInvalid(BASE.replace("\"oomScoreAdj\": 5", "\"oomScoreAdj\": 5000"), "process.oomScoreAdj: must be between -1000 and 1000");
        assertInvalid(BASE.replace("\"args\": [\"sh\"]", "\"args\": [\"\"]"), "process.args: must be a non-empty array");
    }

    @Test
    void fieldsOfLaterIssuesAreRefusedNotIgnored() {
        assertInvalid(BASE.replace("{\"type\": \"pid\"}", "{\"type\": \"user\"}"), "linux.namespaces[0]: user namespaces are not supported yet");
        assertInvalid(BASE.replace("\"linux\": {", "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}, "),
                "linux.seccomp: not supported by this version of crema yet");
        assertInvalid(BASE.replace("\"linux\": {", "\"linux\": {\"sysctl\": {\"a.b\": \"1\"}, "),
                "linux.sysctl: not supported by this version of crema yet");
        assertInvalid(BASE.replace("\"hostname\"", "\"hooks\": {\"prestart\": [{\"path\": \"/bin/true\"}]}, \"hostname\""),
                "hooks: not supported by this version of crema yet");
        assertInvalid(BASE.replace("\"args\"", "\"terminal\": true, \"args\""), "process.terminal: not supported by this version of crema yet");
    }

    @Test
    void hostileDestinationsAreCleanedButStayRelativeToTheRoot() {
        LaunchPlan p = plan(BASE.replace("\"destination\": \"data\"", "\"destination\": \"/../../etc/x/..\""));
        assertEquals("/etc", p.mounts().get(2).destination());
        assertFalse(p.mounts().stream().anyMatch(m -> m.destination().contains("..")));
    }
}

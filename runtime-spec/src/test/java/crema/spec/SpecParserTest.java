package crema.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpecParserTest {

    /** The sample config.json: from the test classpath if resources are copied there, else from the source tree. */
    static byte[] sampleConfig() throws IOException {
        try (InputStream in = SpecParserTest.class.getResourceAsStream("config.json")) {
            if (in != null) {
                return in.readAllBytes();
            }
        }
        Path tree = Path.of(System.getProperty("basedir", "."));
        return Files.readAllBytes(tree.resolve("runtime-spec/src/test/resources/crema/spec/config.json"));
    }

    /** JSON written with single quotes, for readable test literals. */
    static byte[] json(String singleQuoted) {
        return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    static String error(String singleQuoted) {
        return assertThrows(SpecException.class, () -> SpecParser.parseConfig(json(singleQuoted))).getMessage();
    }

    @Test
    void parsesFullConfig() throws IOException {
        Spec spec = SpecParser.parseConfig(sampleConfig());
        assertEquals("1.3.0", spec.ociVersion());
        assertEquals(new Root("rootfs", true), spec.root());
        assertEquals("crema", spec.hostname());
        assertEquals("example.org", spec.domainname());
        assertEquals(Map.of("org.example.owner", "ops", "org.example.tier", "web"), spec.annotations());

        Process p = spec.process();
        assertTrue(p.terminal());
        assertEquals(new ConsoleSize(24, 80), p.consoleSize());
        assertEquals(new User(1000, 1000, 18L, List.of(5L, 4294967295L), null), p.user());
        assertEquals(List.of("sh", "-c", "echo hello"), p.args());
        assertEquals(2, p.env().size());
        assertEquals("/app", p.cwd());
        assertNull(p.commandLine());
        List<String> caps = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
        assertEquals(new Capabilities(caps, caps, null, caps, null), p.capabilities());
        assertEquals(List.of(new Rlimit("RLIMIT_NOFILE", 1024, 1024), new Rlimit("RLIMIT_CORE", -1L, 0)), p.rlimits());
        assertTrue(p.noNewPrivileges());
        assertEquals("crema-default", p.apparmorProfile());
        assertEquals(-500, p.oomScoreAdj());
        assertEquals(new Scheduler("SCHED_DEADLINE", null, null, List.of("SCHED_FLAG_RESET_ON_FORK"),
                10000000L, 20000000L, 40000000L), p.scheduler());
        assertEquals("system_u:system_r:container_t:s0:c1,c2", p.selinuxLabel());
        assertEquals(new IoPriority("IOPRIO_CLASS_BE", 4), p.ioPriority());
        assertEquals(new ExecCpuAffinity("0", "0-3,7"), p.execCPUAffinity());

        assertEquals(8, spec.mounts().size());
        assertEquals(new Mount("/proc", "proc", "proc", null, null, null), spec.mounts().get(0));
        IdMapping userns = new IdMapping(0, 100000, 65536);
        assertEquals(new Mount("/data", "bind", "/srv/data", List.of("rbind", "idmap"), List.of(userns), List.of(userns)),
                spec.mounts().get(7));

        Hooks hooks = spec.hooks();
        assertEquals(List.of(new Hook("/usr/libexec/netns-setup", List.of("netns-setup", "--bridge", "br0"),
                List.of("LOG=debug"), 5)), hooks.createRuntime());
        assertEquals(List.of(new Hook("/usr/libexec/cleanup", null, null, null)), hooks.poststop());
        assertNull(hooks.prestart());
        assertNull(hooks.createContainer());
        assertNull(hooks.startContainer());
        assertNull(hooks.poststart());

        Linux l = spec.linux();
        assertEquals(List.of(userns), l.uidMappings());
        assertEquals(List.of(userns), l.gidMappings());
        assertEquals(Map.of("monotonic", new TimeOffset(-86400, 500), "boottime", new TimeOffset(3600, 0)), l.timeOffsets());
        assertEquals(Map.of("net.ipv4.ip_forward", "1", "kernel.shm_rmid_forced", "1"), l.sysctl());
        assertEquals("/crema/web-1", l.cgroupsPath());
        assertEquals(8, l.namespaces().size());
        assertEquals(new Namespace("network", "/var/run/netns/web"), l.namespaces().get(1));
        assertEquals(new Namespace("time", null), l.namespaces().get(7));
        assertEquals(List.of(new Device("c", "/dev/fuse", 10, 229, 0666L, 0L, 0L)), l.devices());
        assertEquals("rslave", l.rootfsPropagation());
        assertEquals(4, l.maskedPaths().size());
        assertEquals(List.of("/proc/bus", "/proc/fs", "/proc/sys"), l.readonlyPaths());
        assertEquals("system_u:object_r:container_file_t:s0:c1,c2", l.mountLabel());
        assertEquals(new IntelRdt("web", "L3:0=ff", "MB:0=50", List.of("L2:0=f"), true), l.intelRdt());
        assertEquals(new Personality("LINUX", null), l.personality());
        assertEquals(new MemoryPolicy("MPOL_INTERLEAVE", "0-1", List.of("MPOL_F_STATIC_NODES")), l.memoryPolicy());
        assertEquals(Map.of("eth1", new NetDevice("net1"), "dummy0", new NetDevice(null)), l.netDevices());

        Resources r = l.resources();
        assertEquals(List.of(new DeviceCgroup(false, null, null, null, "rwm"), new DeviceCgroup(true, "c", 1L, 3L, "rwm")),
                r.devices());
        assertEquals(new Memory(536870912L, 268435456L, -1L, null, null, 0L, false, null, true), r.memory());
        assertEquals(new Cpu(1024L, 50000L, 10000L, 100000L, null, null, "0-3", "0", 0L), r.cpu());
        assertEquals(new Pids(512L), r.pids());
        assertEquals(new BlockIo(500, 300, List.of(new WeightDevice(8, 0, 600, null)),
                List.of(new ThrottleDevice(8, 0, 104857600)), null, null, List.of(new ThrottleDevice(8, 16, 1000))),
                r.blockIO());
        assertEquals(List.of(new HugepageLimit("2MB", 209715200)), r.hugepageLimits());
        assertEquals(new Network(1048577L, List.of(new InterfacePriority("eth0", 500))), r.network());
        assertEquals(Map.of("mlx5_1", new Rdma(3L, 10000L)), r.rdma());
        assertEquals(Map.of("memory.high", "400000000", "io.weight", "default 100"), r.unified());

        Seccomp s = l.seccomp();
        assertEquals("SCMP_ACT_ERRNO", s.defaultAction());
        assertEquals(1L, s.defaultErrnoRet());
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), s.architectures());
        assertEquals(List.of("SECCOMP_FILTER_FLAG_LOG"), s.flags());
        assertEquals("/run/seccomp-agent.sock", s.listenerPath());
        assertEquals("web-1", s.listenerMetadata());
        assertEquals(3, s.syscalls().size());
        assertEquals(new SeccompSyscall(List.of("read", "write", "exit_group"), "SCMP_ACT_ALLOW", null, null),
                s.syscalls().get(0));
        assertEquals(new SeccompSyscall(List.of("personality"), "SCMP_ACT_ALLOW", null, List.of(
                new SeccompArg(0, 4294967295L, 0, "SCMP_CMP_EQ"),
                new SeccompArg(1, -1L, 8, "SCMP_CMP_MASKED_EQ"))), s.syscalls().get(1));
        assertEquals(new SeccompSyscall(List.of("mount"), "SCMP_ACT_ERRNO", 38L, null), s.syscalls().get(2));
    }

    @Test
    void keepsDocumentOrderOfMaps() throws IOException {
        Spec spec = SpecParser.parseConfig(sampleConfig());
        assertEquals(List.of("net.ipv4.ip_forward", "kernel.shm_rmid_forced"), List.copyOf(spec.linux().sysctl().keySet()));
    }

    @Test
    void rlimInfinityIsAllOnes() {
        Spec spec = SpecParser.parseConfig(json("""
                {'ociVersion': '1.3.0', 'process': {'args': ['sh'], 'cwd': '/',
                 'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 18446744073709551615, 'soft': 9223372036854775808}]}}"""));
        Rlimit r = spec.process().rlimits().get(0);
        assertEquals(-1L, r.hard());
        assertEquals(Long.MIN_VALUE, r.soft());
        assertEquals("18446744073709551615", Long.toUnsignedString(r.hard()));
        String written = new String(SpecJson.write(spec), StandardCharsets.UTF_8);
        assertTrue(written.contains("\"hard\": 18446744073709551615"), written);
        assertTrue(written.contains("\"soft\": 9223372036854775808"), written);
        assertEquals(spec, SpecParser.parseConfig(SpecJson.write(spec)));
    }

    @Test
    void minimalConfigLeavesEverythingElseAbsent() {
        Spec spec = SpecParser.parseConfig(json("{'ociVersion': '1.0.2'}"));
        assertEquals(new Spec("1.0.2", null, null, null, null, null, null, null, null), spec);
    }

    @Test
    void nullMeansAbsent() {
        Spec spec = SpecParser.parseConfig(json("""
                {'ociVersion': '1.3.0', 'process': {'args': ['sh'], 'cwd': '/', 'user': null, 'oomScoreAdj': null,
                 'terminal': null, 'env': null}, 'hostname': null, 'mounts': null, 'linux': {'resources':
                 {'memory': {'limit': null, 'swap': 5}}}}"""));
        assertNull(spec.process().user());
        assertNull(spec.process().oomScoreAdj());
        assertNull(spec.process().env());
        assertEquals(false, spec.process().terminal());
        assertNull(spec.hostname());
        assertNull(spec.mounts());
        assertEquals(new Memory(null, null, 5L, null, null, null, null, null, null), spec.linux().resources().memory());
    }

    @Test
    void skipsUnknownFieldsAtAnyDepth() {
        Spec spec = SpecParser.parseConfig(json("""
                {'ociVersion': '1.3.0', 'x-top': {'deep': [1, 2.5, {'a': null}], 'b': true},
                 'windows': {'layerFolders': ['C:\\\\layers']}, 'vm': {'hypervisor': {'path': '/bin/qemu'}},
                 'process': {'args': ['sh'], 'cwd': '/', 'user': {'uid': 1, 'gid': 2, 'x-user': 'y'}, 'x-proc': [[]]},
                 'mounts': [{'destination': '/scratch', 'x-mount': {}}],
                 'linux': {'x-linux': 1, 'resources': {'memory': {'x-mem': 'z', 'limit': 10}},
                           'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['a'], 'x': 1}]}}}"""));
        assertEquals(new User(1, 2, null, null, null), spec.process().user());
        assertEquals(new Mount("/scratch", null, null, null, null, null), spec.mounts().get(0));
        assertEquals(10L, spec.linux().resources().memory().limit());
        assertEquals(List.of("a"), spec.linux().seccomp().syscalls().get(0).names());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {}                                                                       | ociVersion: must be a string
            {'ociVersion': 1}                                                        | ociVersion: must be a string
            {'ociVersion': null}                                                     | ociVersion: must be a string
            {'ociVersion': '1', 'root': {}}                                          | root.path: must be a string
            {'ociVersion': '1', 'root': 'rootfs'}                                    | root: must be an object
            {'ociVersion': '1', 'root': {'path': 'r', 'readonly': 'yes'}}            | root.readonly: must be a boolean
            {'ociVersion': '1', 'hostname': ['a']}                                   | hostname: must be a string
            {'ociVersion': '1', 'process': {'cwd': '/'}}                             | process.args: must be a non-empty array
            {'ociVersion': '1', 'process': {'cwd': '/', 'args': []}}                 | process.args: must be a non-empty array
            {'ociVersion': '1', 'process': {'cwd': '/', 'args': 'sh'}}               | process.args: must be a non-empty array
            {'ociVersion': '1', 'process': {'cwd': '/', 'args': ['sh', 1]}}          | process.args[1]: must be a string
            {'ociVersion': '1', 'process': {'cwd': '/', 'args': ['sh', null]}}       | process.args[1]: must be a string
            {'ociVersion': '1', 'process': {'args': ['sh']}}                         | process.cwd: must be a string
            {'ociVersion': '1', 'process': {'args': ['sh'], 'cwd': '/', 'env': {}}}  | process.env: must be an array
            {'ociVersion': '1', 'process': {'args': ['sh'], 'cwd': '/', 'terminal': 1}} | process.terminal: must be a boolean
            {'ociVersion': '1', 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': [{'hard': 1}]}} | process.rlimits[0].type: must be a string
            {'ociVersion': '1', 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': 'RLIMIT_CORE', 'hard': -1}]}} | process.rlimits[0].hard: -1 is out of range for uint64
            {'ociVersion': '1', 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': 'RLIMIT_CORE', 'soft': 18446744073709551616}]}} | process.rlimits[0].soft: 18446744073709551616 is out of range for uint64
            {'ociVersion': '1', 'process': {'args': ['sh'], 'cwd': '/', 'user': {'uid': 4294967296}}} | process.user.uid: 4294967296 is out of range for uint32
            {'ociVersion': '1', 'process': {'args': ['sh'], 'cwd': '/', 'user': {'gid': -1}}} | process.user.gid: -1 is out of range for uint32
            {'ociVersion': '1', 'process': {'args': ['sh'], 'cwd': '/', 'user': {'uid': '0'}}} | process.user.uid: must be a number
            {'ociVersion': '1', 'process': {'args': ['sh'], 'cwd': '/', 'user': {'additionalGids': [1, -5]}}} | process.user.additionalGids[1]: -5 is out of range for uint32
            {'ociVersion': '1', 'process': {'args': ['sh'], 'cwd': '/', 'oomScoreAdj': 2147483648}} | process.oomScoreAdj: 2147483648 is out of range for int32
            {'ociVersion': '1', 'process': {'args': ['sh'], 'cwd': '/', 'ioPriority': {'class': 'IOPRIO_CLASS_RT', 'priority': 1.5}}} | process.ioPriority.priority: must be an integer
            {'ociVersion': '1', 'mounts': {}}                                        | mounts: must be an array
            {'ociVersion': '1', 'mounts': ['/proc']}                                 | mounts[0]: must be an object
            {'ociVersion': '1', 'mounts': [{'destination': '/a'}, {'destination': '/b'}, {'type': 'tmpfs'}]} | mounts[2].destination: must be a string
            {'ociVersion': '1', 'mounts': [{'destination': '/a', 'options': ['ro', false]}]} | mounts[0].options[1]: must be a string
            {'ociVersion': '1', 'mounts': [{'destination': '/a', 'uidMappings': [{'size': 'x'}]}]} | mounts[0].uidMappings[0].size: must be a number
            {'ociVersion': '1', 'hooks': {'poststart': [{'args': ['x']}]}}           | hooks.poststart[0].path: must be a string
            {'ociVersion': '1', 'hooks': {'createRuntime': [{'path': '/h', 'timeout': 0}]}} | hooks.createRuntime[0].timeout: must be greater than zero
            {'ociVersion': '1', 'annotations': {'a.b': 1}}                           | annotations["a.b"]: must be a string
            {'ociVersion': '1', 'linux': []}                                         | linux: must be an object
            {'ociVersion': '1', 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'foo'}]}} | linux.namespaces[1].type: unknown namespace type "foo"
            {'ociVersion': '1', 'linux': {'namespaces': [{'path': '/proc/1/ns/net'}]}} | linux.namespaces[0].type: must be a string
            {'ociVersion': '1', 'linux': {'devices': [{'path': '/dev/null'}]}}       | linux.devices[0].type: must be a string
            {'ociVersion': '1', 'linux': {'devices': [{'type': 'c'}]}}               | linux.devices[0].path: must be a string
            {'ociVersion': '1', 'linux': {'devices': [{'type': 'c', 'path': '/dev/x', 'fileMode': -1}]}} | linux.devices[0].fileMode: -1 is out of range for uint32
            {'ociVersion': '1', 'linux': {'seccomp': {'syscalls': []}}}              | linux.seccomp.defaultAction: must be a string
            {'ociVersion': '1', 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'args': [{'value': -1}]}]}}} | linux.seccomp.syscalls[0].args[0].value: -1 is out of range for uint64
            {'ociVersion': '1', 'linux': {'sysctl': ['a']}}                          | linux.sysctl: must be an object
            {'ociVersion': '1', 'linux': {'netDevices': {'eth0': 'net0'}}}           | linux.netDevices["eth0"]: must be an object
            {'ociVersion': '1', 'linux': {'timeOffsets': {'boottime': {'nanosecs': 4294967296}}}} | linux.timeOffsets["boottime"].nanosecs: 4294967296 is out of range for uint32
            {'ociVersion': '1', 'linux': {'resources': {'memory': {'limit': '1G'}}}} | linux.resources.memory.limit: must be a number
            {'ociVersion': '1', 'linux': {'resources': {'memory': {'limit': 1.0}}}}  | linux.resources.memory.limit: must be an integer
            {'ociVersion': '1', 'linux': {'resources': {'memory': {'limit': 9223372036854775808}}}} | linux.resources.memory.limit: 9223372036854775808 is out of range for int64
            {'ociVersion': '1', 'linux': {'resources': {'memory': {'disableOOMKiller': 'true'}}}} | linux.resources.memory.disableOOMKiller: must be a boolean
            {'ociVersion': '1', 'linux': {'resources': {'blockIO': {'weight': 65536}}}} | linux.resources.blockIO.weight: 65536 is out of range for uint16
            {'ociVersion': '1', 'linux': {'resources': {'rdma': {'mlx5': {'hcaHandles': -1}}}}} | linux.resources.rdma["mlx5"].hcaHandles: -1 is out of range for uint32
            {'ociVersion': '1', 'linux': {'resources': {'unified': {'memory.max': 5}}}} | linux.resources.unified["memory.max"]: must be a string
            """)
    void reportsPathOfBadField(String config, String message) {
        assertEquals(message, error(config));
    }

    @Test
    void exceptionCarriesPathAndProblem() {
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parseConfig(json(
                "{'ociVersion': '1', 'mounts': [{'destination': '/a'}, {'destination': 7}]}")));
        assertEquals("mounts[1].destination", e.path());
        assertEquals("must be a string", e.problem());
    }

    @Test
    void topLevelMustBeAnObject() {
        assertEquals("config.json: must be a JSON object", error("['ociVersion']"));
        assertEquals("config.json: must be a JSON object", error("null"));
    }

    @Test
    void invalidJsonNamesLineAndColumn() {
        assertEquals("config.json: invalid JSON at line 4 column 14: Unexpected close marker '}': "
                + "expected ']' (for Array starting at line 4 column 13)",
                error("{\n  'ociVersion': '1.3.0',\n  'process': {\n    'args': [}\n}"));
        SpecException e = assertThrows(SpecException.class,
                () -> SpecParser.parseConfig(json("{'ociVersion': '1.3.0',}")));
        assertEquals("config.json", e.path());
        assertTrue(e.getMessage().startsWith("config.json: invalid JSON at line 1 column 24: "), e.getMessage());
    }

    @Test
    void invalidJsonAtEndOrAfterTheValue() {
        assertTrue(error("{'ociVersion': '1'").startsWith("config.json: invalid JSON at line 1 column 19: "));
        assertEquals("config.json: invalid JSON at line 1 column 21: unexpected content after the top-level value",
                error("{'ociVersion': '1'} {}"));
        assertTrue(error("").startsWith("config.json: invalid JSON at line 1 column 1: "));
        assertTrue(error("{'ociVersion': '1'} x").startsWith("config.json: invalid JSON at line 1 column 21: "));
    }
}

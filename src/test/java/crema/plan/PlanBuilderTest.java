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
        return plan(json, new crema.sys.Identity(0, 0));
    }

    static LaunchPlan plan(String json, crema.sys.Identity caller) {
        return PlanBuilder.build(spec(json), new PlanInputs(BUNDLE, "/run/crema/x", 2, false, true,
                List.of(new PlanInputs.CgroupDir("memory", Path.of("/sys/fs/cgroup/memory/x")),
                        new PlanInputs.CgroupDir("pids", Path.of("/sys/fs/cgroup/pids/x"))),
                new PlanInputs.HostFacts(true, false, false, false, true, caller), p -> !p.toString().equals("/host/file"),
                j -> j.path().startsWith("/proc/1/ns/"), null, "/run/console.sock"));
    }

    /** A user namespace of uid 1000 mapping only itself, no network namespace of its own, a sysfs mount. */
    static final String ROOTLESS = BASE
            .replace("{\"type\": \"network\", \"path\": \"/proc/42/ns/net\"}", "{\"type\": \"user\"}")
            .replace("\"user\": {\"uid\": 1, \"gid\": 2, \"umask\": 18, \"additionalGids\": [3, 4]}", "\"user\": {\"uid\": 0, \"gid\": 0}")
            .replace("\"maskedPaths\"", "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}], "
                    + "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}], \"maskedPaths\"")
            .replace("{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},",
                    "{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}, "
                    + "{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [\"nosuid\", \"ro\"]},");

    @Test
    void rootlessWithoutANetworkNamespaceBindsTheHostsSysfs() {
        MountStep sys = plan(ROOTLESS, new crema.sys.Identity(1000, 1000)).mounts().stream()
                .filter(m -> m.destination().equals("/sys")).findFirst().orElseThrow();
        assertEquals(MountKind.BIND, sys.kind());
        assertEquals("/sys", sys.source());
        assertEquals(MS_BIND | MS_REC | MS_NOSUID | MS_RDONLY, sys.flags());
        // root, or a network namespace of the user's own, may mount sysfs itself
        assertEquals(MountKind.FILESYSTEM, plan(ROOTLESS).mounts().stream()
                .filter(m -> m.destination().equals("/sys")).findFirst().orElseThrow().kind());
        String withNet = ROOTLESS.replace("{\"type\": \"user\"}", "{\"type\": \"user\"}, {\"type\": \"network\"}");
        assertEquals(MountKind.FILESYSTEM, plan(withNet, new crema.sys.Identity(1000, 1000)).mounts().stream()
                .filter(m -> m.destination().equals("/sys")).findFirst().orElseThrow().kind());
    }

    @Test
    void rootlessMappingItsOwnGidMakesNoSetgroupsCall() {
        assertEquals(null, plan(ROOTLESS, new crema.sys.Identity(1000, 1000)).process().additionalGids());
        assertEquals(List.of(), plan(ROOTLESS).process().additionalGids());
        String groups = ROOTLESS.replace("\"user\": {\"uid\": 0, \"gid\": 0}", "\"user\": {\"uid\": 0, \"gid\": 0, \"additionalGids\": [0]}");
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> plan(groups, new crema.sys.Identity(1000, 1000)));
        assertTrue(e.getMessage().startsWith("process.user.additionalGids: cannot be set by a non-root user"), e.getMessage());
    }

    @Test
    void namespacesSplitIntoCloneFlagsAndJoins() {
        LaunchPlan p = plan(BASE);
        assertEquals(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS, p.cloneFlags());
        assertEquals(List.of(new LaunchPlan.NamespaceJoin(CLONE_NEWNET, "/proc/42/ns/net")), p.joins());
        assertEquals("h", p.hostname());
    }

    /** As runc and crun: the rootfs is set up in a mount namespace joined by path; never in the host's own. */
    @Test
    void aMountNamespaceMayBeJoinedByPathButNotTheHosts() {
        LaunchPlan p = plan(BASE.replace("{\"type\": \"mount\"}", "{\"type\": \"mount\", \"path\": \"/proc/42/ns/mnt\"}"));
        assertEquals(CLONE_NEWPID | CLONE_NEWUTS, p.cloneFlags());
        assertEquals(List.of(new LaunchPlan.NamespaceJoin(CLONE_NEWNS, "/proc/42/ns/mnt"),
                new LaunchPlan.NamespaceJoin(CLONE_NEWNET, "/proc/42/ns/net")), p.joins());
        assertInvalid(BASE.replace("{\"type\": \"mount\"}", "{\"type\": \"mount\", \"path\": \"/proc/1/ns/mnt\"}"),
                "linux.namespaces[1].path: is the host's mount namespace; the container needs a mount namespace of its own");
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

    /** The helper's plan holds a bounded number of mount steps: more is refused by the field, not by the helper. */
    @Test
    void moreMountsThanThePlanHoldsAreRefused() {
        String tmpfs = "{\"destination\": \"/t\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},";
        int room = PlanBuilder.MAX_MOUNT_STEPS - plan(BASE).mounts().size();
        String full = BASE.replace("\"mounts\": [", "\"mounts\": [" + tmpfs.repeat(room));
        assertEquals(PlanBuilder.MAX_MOUNT_STEPS, plan(full).mounts().size());
        assertInvalid(BASE.replace("\"mounts\": [", "\"mounts\": [" + tmpfs.repeat(room + 1)),
                "mounts: at most 4096 mounts are allowed, got 4097");
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
        LaunchPlan plan = plan(BASE);
        ProcessPlan p = plan.process();
        assertEquals(List.of("sh"), p.args());
        assertEquals(1, p.uid());
        assertEquals(2, p.gid());
        assertEquals(18L, p.umask());
        assertEquals(List.of(3L, 4L), p.additionalGids());
        assertEquals(new LaunchPlan.RlimitStep(7, 10, 20), p.rlimits().get(0));
        assertEquals(new LaunchPlan.RlimitStep(4, -1L, -1L), p.rlimits().get(1));
        // ambient CAP_KILL is not inheritable: skipped, as runc skips it
        assertEquals(new LaunchPlan.CapabilitySets(0x21, 0x20, 0, 0x20, 0), p.capabilities());
        assertTrue(p.noNewPrivileges());
        assertTrue(p.newKeyring());
        assertEquals(5, plan.oomScoreAdj());
        assertEquals(List.of("/proc/kcore"), plan.maskedPaths());
        assertEquals(List.of("/proc/sys"), plan.readonlyPaths());
        assertEquals("/run/crema/x", plan.fifoDir());
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
        assertInvalid(BASE.replace("{\"type\": \"mount\"}, ", ""),
                "linux.namespaces: the container needs a mount namespace of its own: a new one, or one joined by path");
        assertInvalid(BASE.replace("{\"type\": \"uts\"},", ""), "hostname: cannot be set without a private UTS namespace");
        assertInvalid(BASE.replace("\"CAP_CHOWN\"", "\"CAP_NOPE\""), "process.capabilities.bounding[1]: unknown capability \"CAP_NOPE\"");
        assertInvalid(BASE.replace("RLIMIT_CORE", "RLIMIT_NOPE"), "process.rlimits[1].type: unknown rlimit \"RLIMIT_NOPE\"");
        assertInvalid(BASE.replace("RLIMIT_CORE", "RLIMIT_NOFILE"), "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"");
        assertInvalid(BASE.replace("\"soft\": 10", "\"soft\": 30"), "process.rlimits[0]: soft limit is above the hard limit");
        assertInvalid(BASE.replace("\"cwd\": \"/\"", "\"cwd\": \"rel\""), "process.cwd: must be an absolute path");
        assertInvalid(BASE.replace("PATH=/bin", "PATH"), "process.env[0]: must be KEY=VALUE");
        assertInvalid(BASE.replace("\"umask\": 18", "\"umask\": 4096"), "process.user.umask: must be between 0 and 0777");
        assertInvalid(BASE.replace("\"source\": \"host-data\", ", ""), "mounts[2].source: must be set for a bind mount");
        assertInvalid(BASE.replace("\"rprivate\"", "\"tmpcopyup\""), "mounts[2].options: tmpcopyup needs a tmpfs mount");
        assertInvalid(BASE.replace("\"rprivate\"", "\"ratime\""), "mounts[2].options[2]: mount option \"ratime\" is not supported yet");
        assertInvalid(BASE.replace("\"type\": \"c\"", "\"type\": \"x\""), "linux.devices[0].type: unknown device type \"x\"");
        assertInvalid(BASE.replace("\"/proc/sys\"", "\"proc/sys\""), "linux.readonlyPaths[0]: must be an absolute path");
        assertInvalid(BASE.replace("\"oomScoreAdj\": 5", "\"oomScoreAdj\": 5000"), "process.oomScoreAdj: must be between -1000 and 1000");
        assertInvalid(BASE.replace("\"args\": [\"sh\"]", "\"args\": [\"\"]"), "process.args: must be a non-empty array");
    }

    @Test
    void aNameGivenTwiceKeepsItsLastValueAtItsFirstPlace() {
        assertEquals(List.of("PATH=/bin", "A=3", "B=2", "EMPTY="),
                plan(BASE.replace("\"PATH=/bin\"", "\"PATH=/bin\", \"A=1\", \"B=2\", \"A=3\", \"EMPTY=\"")).process().env());
    }

    @Test
    void userNamespacesNeedMappingsAndMappingsNeedAUserNamespace() {
        assertInvalid(BASE.replace("{\"type\": \"pid\"}", "{\"type\": \"user\"}"),
                "linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
        assertInvalid(BASE.replace("\"linux\": {", "\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}], "),
                "linux.uidMappings: mappings need a new user namespace (linux.namespaces)");
        LaunchPlan p = plan(BASE.replace("{\"type\": \"pid\"}", "{\"type\": \"pid\"}, {\"type\": \"user\"}")
                .replace("\"linux\": {", "\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10}], "
                        + "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 2000, \"size\": 10}], "));
        assertEquals(List.of(new LaunchPlan.IdMap(0, 1000, 10)), p.uidMappings());
        assertTrue(p.devices().stream().allMatch(LaunchPlan.DeviceNode::bindFromHost), "mknod is refused in a user namespace");
    }

    @Test
    void sysctlsMustBelongToTheContainersNamespaces() {
        assertInvalid(BASE.replace("\"linux\": {", "\"linux\": {\"sysctl\": {\"vm.swappiness\": \"1\"}, "),
                "linux.sysctl[\"vm.swappiness\"]: is not in a separate kernel namespace");
        assertInvalid(BASE.replace("\"linux\": {", "\"linux\": {\"sysctl\": {\"kernel.shmmax\": \"1\"}, "),
                "linux.sysctl[\"kernel.shmmax\"]: needs the container's own ipc namespace");
        LaunchPlan p = plan(BASE.replace("\"linux\": {", "\"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}, "));
        assertEquals(List.of("net.ipv4.ip_forward"), p.sysctlKeys());
        assertEquals(List.of("1"), p.sysctlValues());
        // joined by path, but the host's own network namespace: a net.* sysctl would change the host
        assertInvalid(BASE.replace("/proc/42/ns/net", "/proc/1/ns/net")
                        .replace("\"linux\": {", "\"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}, "),
                "linux.sysctl[\"net.ipv4.ip_forward\"]: needs the container's own network namespace");
    }

    /** (uid_t) -1 means "leave it" to setresuid: the process would stay root (crun's CVE-2026-30892 class). */
    @Test
    void uidsAndGidsStayBelow2147483648() {
        assertInvalid(BASE.replace("\"uid\": 1,", "\"uid\": 4294967295,"),
                "process.user.uid: uids and gids must be in range 0-2147483647");
        assertInvalid(BASE.replace("\"gid\": 2,", "\"gid\": 2147483648,"),
                "process.user.gid: uids and gids must be in range 0-2147483647");
        assertInvalid(BASE.replace("[3, 4]", "[3, 4294967295]"),
                "process.user.additionalGids[1]: uids and gids must be in range 0-2147483647");
    }

    @Test
    void hooksThatCremaInitRunsGoIntoThePlan() {
        LaunchPlan p = plan(BASE.replace("\"hostname\"", "\"hooks\": {\"createContainer\": [{\"path\": \"/bin/a\", \"args\": [\"a\", \"1\"], \"timeout\": 5}],"
                + " \"startContainer\": [{\"path\": \"/bin/b\", \"env\": [\"X=1\"]}], \"prestart\": [{\"path\": \"/bin/c\"}]}, \"hostname\""));
        assertEquals(List.of(new LaunchPlan.HookStep(1, 5, "/bin/a", List.of("a", "1"), List.of()),
                new LaunchPlan.HookStep(2, 0, "/bin/b", List.of(), List.of("X=1"))), p.hooks());
        assertInvalid(BASE.replace("\"hostname\"", "\"hooks\": {\"poststop\": [{\"path\": \"rel\"}]}, \"hostname\""),
                "hooks.poststop[0].path: must be an absolute path");
    }

    @Test
    void processAttributesBecomeSyscallNumbers() {
        LaunchPlan p = plan(BASE.replace("\"args\"", "\"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", \"priority\": 4},"
                + " \"scheduler\": {\"policy\": \"SCHED_FIFO\", \"priority\": 10, \"flags\": [\"SCHED_FLAG_RESET_ON_FORK\"]},"
                + " \"execCPUAffinity\": {\"final\": \"1-2,65\"}, \"args\""));
        var a = p.process().attributes();
        assertEquals(2 << 13 | 4, a.ioPriority());
        assertEquals(new ProcessAttributes.Scheduler(1, 0, 10, 1, 0, 0, 0), a.scheduler());
        assertEquals(0b110L, a.cpusFinal()[0]);
        assertEquals(0b10L, a.cpusFinal()[1]);
        assertEquals(null, a.cpusInitial());
        assertInvalid(BASE.replace("\"args\"", "\"execCPUAffinity\": {\"initial\": \"3-1\"}, \"args\""),
                "process.execCPUAffinity.initial: \"3-1\" is out of range 0-1023");
    }

    @Test
    void fieldsNotImplementedYetAreRefusedNotIgnored() {
        assertInvalid(BASE.replace("\"linux\": {", "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}, "),
                "linux.seccomp: not supported by this version of crema yet");
        assertInvalid(BASE.replace("\"linux\": {", "\"linux\": {\"intelRdt\": {\"closID\": \"a\"}, "),
                "linux.intelRdt: not supported here: resctrl is not mounted");
    }

    @Test
    void aTerminalSendsItsMasterToTheConsoleSocket() {
        ProcessPlan.Console c = plan(BASE.replace("\"args\"", "\"terminal\": true, \"consoleSize\": {\"height\": 30, \"width\": 100}, \"args\""))
                .process().console();
        assertEquals(new ProcessPlan.Console(30, 100, true, "/run/console.sock"), c);
        assertEquals(null, plan(BASE).process().console());
        assertInvalid(BASE.replace("\"args\"", "\"terminal\": true, \"consoleSize\": {\"height\": 70000, \"width\": 1}, \"args\""),
                "process.consoleSize: height and width must be below 65536");
    }

    @Test
    void hostileDestinationsAreCleanedButStayRelativeToTheRoot() {
        LaunchPlan p = plan(BASE.replace("\"destination\": \"data\"", "\"destination\": \"/../../etc/x/..\""));
        assertEquals("/etc", p.mounts().get(2).destination());
        assertFalse(p.mounts().stream().anyMatch(m -> m.destination().contains("..")));
    }
}

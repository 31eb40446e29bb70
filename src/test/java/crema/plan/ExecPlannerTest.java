package crema.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.plan.LaunchPlan.NamespaceJoin;
import crema.spec.Process;
import crema.spec.Spec;
import crema.spec.SpecParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecPlannerTest {
    private static final Spec CONTAINER = PlanBuilderTest.spec(PlanBuilderTest.BASE);
    private static final ExecPlanner.Inputs IN = new ExecPlanner.Inputs("/proc/9/root",
            List.of(new NamespaceJoin(Linux.CLONE_NEWPID, "/proc/9/ns/pid")),
            new PlanInputs.SeccompProgram(new byte[8], 0, null, null), false, 1,
            new PlanInputs.HostFacts(false, false, false, false, true, new crema.sys.Identity(0, 0)), null);

    private static ExecPlanner.Flags flags(List<String> env, String user, List<String> caps) {
        return new ExecPlanner.Flags(List.of("ps", "-ef"), false, null, env, user, List.of(9L), caps, false, null, null);
    }

    private static Process file(String json) {
        return SpecParser.parseProcess(json.getBytes(StandardCharsets.UTF_8), "p.json");
    }

    private static ExecPlan build(Process p, List<String> warnings) {
        return ExecPlanner.build(CONTAINER, p, "", IN, warnings::add);
    }

    @Test
    void flagsApplyToTheContainersProcess() {
        Process p = ExecPlanner.fromFlags(CONTAINER.process(), flags(List.of("PATH=/usr/bin", "X=1"), "7:8", List.of("CAP_CHOWN")));
        assertEquals(List.of("ps", "-ef"), p.args());
        assertEquals(List.of("PATH=/usr/bin", "X=1"), p.env());
        assertEquals(7, p.user().uid());
        assertEquals(8, p.user().gid());
        assertEquals(List.of(3L, 4L, 9L), p.user().additionalGids());
        assertEquals(List.of("CAP_KILL", "CAP_CHOWN"), p.capabilities().effective());
        assertNull(p.capabilities().inheritable(), "never inheritable");
        assertEquals("/", p.cwd());
        assertEquals(2, ExecPlanner.fromFlags(CONTAINER.process(), flags(List.of(), "7", List.of())).user().gid());
    }

    @Test
    void badFlagsNameTheFlag() {
        assertEquals("--user: \"a:b\" is not uid[:gid] (numbers)", assertThrows(InvalidSpecException.class,
                () -> ExecPlanner.fromFlags(CONTAINER.process(), flags(List.of(), "a:b", List.of()))).getMessage());
        assertEquals("--cap: unknown capability \"CAP_NOPE\"", assertThrows(InvalidSpecException.class,
                () -> ExecPlanner.fromFlags(CONTAINER.process(), flags(List.of(), null, List.of("CAP_NOPE")))).getMessage());
        assertEquals("--env: \"NOEQUALS\" is not KEY=VALUE", assertThrows(InvalidSpecException.class,
                () -> ExecPlanner.fromFlags(CONTAINER.process(), flags(List.of("NOEQUALS"), null, List.of()))).getMessage());
    }

    @Test
    void whatTheProcessLacksComesFromTheContainer() {
        List<String> warnings = new ArrayList<>();
        ExecPlan plan = build(file("{\"args\": [\"sh\"], \"cwd\": \"/tmp\"}"), warnings);
        ProcessPlan pp = plan.process();
        assertEquals("/proc/9/root", plan.root());
        assertEquals(IN.joins(), plan.joins());
        assertEquals(2, pp.rlimits().size());
        assertEquals(1L << 5, pp.capabilities().effective());
        assertTrue(pp.noNewPrivileges(), "the container has no_new_privs");
        assertEquals(1, pp.preserveFds());
        assertTrue(!pp.seccomp().early(), "with no_new_privs the filter loads last");
        assertEquals(List.of(), warnings);
    }

    @Test
    void capabilitiesStayWithinTheContainersBoundingSet() {
        List<String> warnings = new ArrayList<>();
        ExecPlan plan = build(file("""
                {"args": ["sh"], "cwd": "/", "capabilities": {"bounding": ["CAP_KILL", "CAP_SYS_ADMIN"],
                 "effective": ["CAP_SYS_ADMIN"], "permitted": ["CAP_CHOWN", "CAP_SYS_ADMIN"]}}"""), warnings);
        LaunchPlan.CapabilitySets c = plan.process().capabilities();
        assertEquals(1L << 5, c.bounding());
        assertEquals(0, c.effective());
        assertEquals(1L, c.permitted());
        assertEquals(List.of("exec: capabilities outside the container's bounding set are dropped: CAP_SYS_ADMIN"), warnings);
    }

    @Test
    void errorsNameTheProcessFilesFields() {
        assertEquals("cwd: must be an absolute path", assertThrows(InvalidSpecException.class,
                () -> build(file("{\"args\": [\"sh\"], \"cwd\": \"tmp\"}"), new ArrayList<>())).getMessage());
        assertEquals("rlimits[0].type: unknown rlimit \"RLIMIT_NOPE\"", assertThrows(InvalidSpecException.class,
                () -> build(file("{\"args\": [\"sh\"], \"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_NOPE\", \"soft\": 1, \"hard\": 1}]}"),
                        new ArrayList<>())).getMessage());
        ExecPlanner.Inputs apparmorHost = new ExecPlanner.Inputs("/proc/9/root", List.of(), null, true, 0,
                new PlanInputs.HostFacts(false, true, false, false, true, new crema.sys.Identity(0, 0)), null);
        assertEquals("apparmorProfile: not supported by this version of crema yet", assertThrows(InvalidSpecException.class,
                () -> ExecPlanner.build(CONTAINER, file("{\"args\": [\"sh\"], \"cwd\": \"/\", \"apparmorProfile\": \"p\"}"), "",
                        apparmorHost, w -> {})).getMessage());
    }

    /** "unconfined" (docker's --privileged) asks nothing of an unconfined crema; a confined one cannot leave its profile. */
    @Test
    void theUnconfinedProfileIsTakenWhereCremaRunsUnconfined() {
        String unconfined = "{\"args\": [\"sh\"], \"cwd\": \"/\", \"apparmorProfile\": \"unconfined\"}";
        ExecPlanner.Inputs free = new ExecPlanner.Inputs("/proc/9/root", List.of(), null, true, 0,
                new PlanInputs.HostFacts(false, true, false, false, true, new crema.sys.Identity(0, 0)), null);
        assertEquals(List.of("sh"), ExecPlanner.build(CONTAINER, file(unconfined), "", free, w -> {}).process().args());
        ExecPlanner.Inputs confined = new ExecPlanner.Inputs("/proc/9/root", List.of(), null, true, 0,
                new PlanInputs.HostFacts(false, true, false, false, false, new crema.sys.Identity(0, 0)), null);
        assertEquals("apparmorProfile: not supported by this version of crema yet", assertThrows(InvalidSpecException.class,
                () -> ExecPlanner.build(CONTAINER, file(unconfined), "", confined, w -> {})).getMessage());
    }
}

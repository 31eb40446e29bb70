package crema.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Testcontainers' GenericContainer on a dockerd that has crema as runtime
 * "crema", chosen through HostConfig.runtime. The dockerd is this suite's own
 * (DOCKER_HOST points at its socket: pom.xml, failsafe's environment).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestcontainersIT {
    private Engine.Dockerd dockerd;

    @BeforeAll
    void setUp() {
        Engine.requireCommands("dockerd", "containerd");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ("unix://" + Engine.Dockerd.socket("testcontainers")).equals(System.getenv("DOCKER_HOST")),
                "DOCKER_HOST must name this suite's dockerd (failsafe sets it)");
        dockerd = new Engine.Dockerd("testcontainers");
    }

    @AfterAll
    void tearDown() {
        if (dockerd != null) dockerd.close();
    }

    private static GenericContainer<?> container() {
        return new GenericContainer<>(DockerImageName.parse(Engine.IMAGE))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withRuntime("crema"))
                .withNetworkMode("none");
    }

    @Test
    void aOneShotContainer() {
        try (GenericContainer<?> c = container()
                .withCommand("sh", "-c", "echo hello-from-testcontainers")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(30)))) {
            c.start();
            assertTrue(c.getLogs().contains("hello-from-testcontainers"), c.getLogs());
            assertEquals("crema", c.getContainerInfo().getHostConfig().getRuntime());
        }
    }

    @Test
    void aLongRunningContainerWithExec() throws Exception {
        try (GenericContainer<?> c = container()
                .withEnv("FOO", "bar")
                .withWorkingDirectory("/tmp")
                .withCommand("sh", "-c", "echo ready; exec sleep 300")
                .waitingFor(Wait.forLogMessage(".*ready.*\\n", 1).withStartupTimeout(Duration.ofSeconds(30)))) {
            c.start();
            assertEquals("crema", c.getContainerInfo().getHostConfig().getRuntime());
            ExecResult r = c.execInContainer("sh", "-c", "echo $FOO; pwd; exit 3");
            assertEquals("bar\n/tmp", r.getStdout().trim());
            assertEquals(3, r.getExitCode());
        }
    }
}

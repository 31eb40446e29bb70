package crema.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import crema.process.ProcStat;
import crema.state.ContainerRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which processes kill --all and delete may signal: only those in a cgroup crema made for the container. */
class KillTest {
    @TempDir
    Path tmp;

    private static ContainerRecord record(int pid, long startTime, List<Path> dirs, List<Path> created) {
        return new ContainerRecord("1.3.0", "c", pid, startTime, "/b", "/b/rootfs", "now", "root", Map.of(),
                dirs.stream().map(Path::toString).toList(), created.stream().map(Path::toString).toList(), false);
    }

    private Path cgroup(String name, String procs) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.writeString(d.resolve("cgroup.procs"), procs);
        return d;
    }

    @Test
    void inACgroupCremaMadeEveryProcessInIt() throws Exception {
        Path reused = cgroup("pids", "7\n8\n"), made = cgroup("memory", "7\n");
        assertEquals(List.of(7), Kill.killablePids(record(7, 1, List.of(reused, made), List.of(tmp, made))));
        assertEquals(List.of(7, 8), Kill.cgroupPids(record(7, 1, List.of(reused, made), List.of(made))), "ps shows all");
    }

    @Test
    void inAReusedCgroupOnlyTheInitWhileItIsOurs() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        long start = ProcStat.read(self).startTime();
        Path reused = cgroup("pids", self + "\n4242\n");
        assertEquals(List.of(self), Kill.killablePids(record(self, start, List.of(reused), List.of())));
        assertEquals(List.of(), Kill.killablePids(record(self, start + 1, List.of(reused), List.of())), "a reused pid");
        assertEquals(List.of(), Kill.killablePids(record(0, 0, List.of(reused), List.of())), "no init yet");
    }
}

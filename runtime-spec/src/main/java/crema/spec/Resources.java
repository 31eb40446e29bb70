package crema.spec;

import java.util.List;
import java.util.Map;

/** {@code linux.resources}: cgroup settings. */
public record Resources(
        List<DeviceCgroup> devices,
        Memory memory,
        Cpu cpu,
        Pids pids,
        BlockIo blockIO,
        List<HugepageLimit> hugepageLimits,
        Network network,
        Map<String, Rdma> rdma,
        Map<String, String> unified) {
}

package crema.lifecycle;

import crema.state.ContainerException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * linux.netDevices: each host interface moves into the container's network
 * namespace under its new name, through iproute2's `ip`. When the namespace
 * goes, the kernel returns physical devices to the host and destroys virtual ones.
 */
final class NetDevices {
    private NetDevices() {}

    static void moveInto(Map<String, String> devices, int pid) {
        for (var e : devices.entrySet()) {
            List<String> cmd = List.of("ip", "link", "set", "dev", e.getKey(), "netns", Integer.toString(pid), "name", e.getValue());
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new ContainerException("move network device \"" + e.getKey() + "\" into the container: " + out);
                }
            } catch (IOException ex) {
                throw new ContainerException("move network device \"" + e.getKey() + "\": run ip: " + ex.getMessage(), ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new ContainerException("move network device \"" + e.getKey() + "\": interrupted");
            }
        }
    }
}

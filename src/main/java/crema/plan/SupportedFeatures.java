package crema.plan;

import crema.spec.Features;
import java.util.List;
import java.util.Map;

/** `crema features`: exactly what this version implements, kept next to the code that implements it. */
public final class SupportedFeatures {
    private SupportedFeatures() {}

    public static Features current() {
        Features.Linux linux = new Features.Linux(
                List.of("cgroup", "ipc", "mount", "network", "pid", "uts"),
                CapabilityNames.ALL,
                new Features.Cgroup(true, true, false, false, true),
                new Features.Seccomp(false, null, null, null, null, null),
                new Features.Apparmor(false),
                new Features.Selinux(false),
                new Features.IntelRdt(false, false, false),
                null,
                new Features.MountExtensions(new Features.IdMap(false)),
                new Features.NetDevices(false));
        return new Features("1.0.0", "1.3.0", List.of(), MountOptions.names(), linux,
                Map.of(), List.of());
    }
}

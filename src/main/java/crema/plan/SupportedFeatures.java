package crema.plan;

import crema.spec.Features;
import java.util.List;
import java.util.Map;

/** `crema features`: exactly what this version implements, kept next to the code that implements it. */
public final class SupportedFeatures {
    private SupportedFeatures() {}

    public static Features current() {
        Features.Linux linux = new Features.Linux(
                List.of("cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"),
                CapabilityNames.ALL,
                new Features.Cgroup(true, true, false, false, true),
                new Features.Seccomp(true, crema.seccomp.SeccompCompiler.ACTIONS, crema.seccomp.SeccompCompiler.operators(),
                        crema.seccomp.SeccompCompiler.ARCHES, crema.seccomp.SeccompCompiler.flags(),
                        crema.seccomp.SeccompCompiler.flags()),
                new Features.Apparmor(false),
                new Features.Selinux(false),
                new Features.IntelRdt(false, false, false),
                new Features.MemoryPolicy(List.of("MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL",
                        "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE"),
                        List.of("MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES")),
                new Features.MountExtensions(new Features.IdMap(true)),
                new Features.NetDevices(true));
        return new Features("1.0.0", "1.3.0",
                List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"),
                MountOptions.names(), linux,
                Map.of(), List.of());
    }
}

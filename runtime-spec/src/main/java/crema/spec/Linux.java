package crema.spec;

import java.util.List;
import java.util.Map;

/** {@code linux}: the Linux-specific part of config.json. */
public record Linux(
        List<IdMapping> uidMappings,
        List<IdMapping> gidMappings,
        Map<String, TimeOffset> timeOffsets,
        Map<String, String> sysctl,
        Resources resources,
        String cgroupsPath,
        List<Namespace> namespaces,
        List<Device> devices,
        Seccomp seccomp,
        String rootfsPropagation,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        String mountLabel,
        IntelRdt intelRdt,
        Personality personality,
        MemoryPolicy memoryPolicy,
        Map<String, NetDevice> netDevices) {
}

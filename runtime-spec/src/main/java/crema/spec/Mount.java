package crema.spec;

import java.util.List;

/** {@code mounts[i]}; uidMappings/gidMappings request an idmapped mount. */
public record Mount(
        String destination,
        String type,
        String source,
        List<String> options,
        List<IdMapping> uidMappings,
        List<IdMapping> gidMappings) {
}

package crema.spec;

import java.util.List;
import java.util.Map;

/**
 * config.json of an OCI bundle (runtime-spec v1.3.0, Linux fields only).
 * Absent objects, lists and maps are null, never empty.
 */
public record Spec(
        String ociVersion,
        Process process,
        Root root,
        String hostname,
        String domainname,
        List<Mount> mounts,
        Hooks hooks,
        Map<String, String> annotations,
        Linux linux) {
}

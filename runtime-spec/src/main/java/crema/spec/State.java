package crema.spec;

import java.util.Map;

/** The OCI state of a container, as {@code crema state} prints it. */
public record State(
        String ociVersion,
        String id,
        String status,
        int pid,
        String bundle,
        Map<String, String> annotations) {
}

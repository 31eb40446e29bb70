package crema.spec;

import java.util.Set;

/** {@code linux.namespaces[i]}; path, when set, names a namespace to join instead of creating one. */
public record Namespace(String type, String path) {

    /** The namespace types runtime-spec v1.3.0 defines. */
    public static final Set<String> TYPES =
            Set.of("pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time");
}

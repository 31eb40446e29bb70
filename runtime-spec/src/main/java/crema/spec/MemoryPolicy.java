package crema.spec;

import java.util.List;

/** {@code linux.memoryPolicy} (set_mempolicy(2)): mode like "MPOL_BIND", nodes like "0-3,7". */
public record MemoryPolicy(String mode, String nodes, List<String> flags) {
}

package crema.spec;

import java.util.List;

/** {@code linux.resources.network}; classID is uint32. */
public record Network(Long classID, List<InterfacePriority> priorities) {
}

package crema.spec;

/** {@code linux.resources.network.priorities[i]}; priority is uint32. */
public record InterfacePriority(String name, long priority) {
}

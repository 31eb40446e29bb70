package crema.spec;

/** {@code linux.netDevices.<host interface>}: name is the interface's name in the container (null keeps it). */
public record NetDevice(String name) {
}

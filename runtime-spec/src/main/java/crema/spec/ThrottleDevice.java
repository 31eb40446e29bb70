package crema.spec;

/** {@code linux.resources.blockIO.throttle*Device[i]}; rate is a uint64 bit pattern. */
public record ThrottleDevice(long major, long minor, long rate) {
}

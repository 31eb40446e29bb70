package crema.spec;

import java.util.List;

/** {@code linux.resources.blockIO}; weight and leafWeight are uint16. */
public record BlockIo(
        Integer weight,
        Integer leafWeight,
        List<WeightDevice> weightDevice,
        List<ThrottleDevice> throttleReadBpsDevice,
        List<ThrottleDevice> throttleWriteBpsDevice,
        List<ThrottleDevice> throttleReadIOPSDevice,
        List<ThrottleDevice> throttleWriteIOPSDevice) {
}

package crema.spec;

/** {@code linux.resources.blockIO.weightDevice[i]}; major/minor int64, weights uint16. */
public record WeightDevice(long major, long minor, Integer weight, Integer leafWeight) {
}

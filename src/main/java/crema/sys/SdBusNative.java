package crema.sys;

/**
 * The JNI entry points of libcremasystemd (native-helpers/cremasystemd.c),
 * libsystemd's sd-bus for the systemd cgroup driver. Each returns 0 (stopUnit:
 * 1 for no such unit) or -errno, the result or a one-line error in out[0].
 * Only {@link SystemdBus} calls these.
 */
final class SdBusNative {
    private SdBusNative() {}

    /** A bus handle (system bus, else systemd's private socket), or -errno; out[0] is systemd's version or the error. */
    static native long connect(int timeoutMs, String[] out);
    static native void close(long bus);
    static native int startTransientUnit(long bus, byte[] name, byte[] properties, int timeoutMs, String[] out);
    static native int setUnitProperties(long bus, byte[] name, byte[] properties, String[] out);
    static native int stopUnit(long bus, byte[] name, int timeoutMs, String[] out);
}

package crema.sys;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * systemd's manager over D-Bus, through libsystemd's sd-bus
 * (libcremasystemd, loaded on first use: only --systemd-cgroup pays for it).
 * A connection reaches the system bus, or systemd's private socket when no
 * bus daemon runs; either way systemd must answer, or it is no connection.
 */
public final class SystemdBus implements AutoCloseable {
    private static volatile boolean loaded;
    private long handle;
    private final int version;

    /** A failure of the bus or of systemd, worded in one line. */
    public static final class BusException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BusException(String message) {
            super(message);
        }
    }

    /**
     * One unit property: name, D-Bus signature and value. Values by signature:
     * s String, b Boolean, u/i Integer, t/x Long, ay byte[], au int[],
     * a(ss) a List of {@link Pair}.
     */
    public record Property(String name, String signature, Object value) {}

    /** One (ss) pair, as DeviceAllow takes them (node, access). */
    public record Pair(String first, String second) {}

    private SystemdBus(long handle, int version) {
        this.handle = handle;
        this.version = version;
    }

    /** Connects and reads systemd's version; a BusException says why neither way reached systemd. */
    public static SystemdBus connect(int timeoutMs) {
        load();
        String[] out = new String[1];
        long h = SdBusNative.connect(timeoutMs, out);
        if (h <= 0) throw new BusException(out[0] == null ? Errno.text((int) -h) : out[0]);
        return new SystemdBus(h, parseVersion(out[0]));
    }

    /** "252.38-1~deb12u1" → 252; 0 when it is not a number (then nothing version-gated is used). */
    static int parseVersion(String v) {
        int i = 0;
        while (i < v.length() && Character.isDigit(v.charAt(i))) i++;
        return i == 0 ? 0 : Integer.parseInt(v.substring(0, Math.min(i, 9)));
    }

    public int version() {
        return version;
    }

    /** StartTransientUnit, then waits for its job to finish (at most timeoutMs). */
    public void startTransientUnit(String unit, List<Property> properties, int timeoutMs) {
        String[] out = new String[1];
        if (SdBusNative.startTransientUnit(open(), bytes(unit), encode(properties), timeoutMs, out) < 0) throw new BusException(out[0]);
    }

    /** SetUnitProperties, at run time (not persisted). */
    public void setUnitProperties(String unit, List<Property> properties) {
        String[] out = new String[1];
        if (SdBusNative.setUnitProperties(open(), bytes(unit), encode(properties), out) < 0) throw new BusException(out[0]);
    }

    /** StopUnit and waits for its job; false when there was no such unit. */
    public boolean stopUnit(String unit, int timeoutMs) {
        String[] out = new String[1];
        int r = SdBusNative.stopUnit(open(), bytes(unit), timeoutMs, out);
        if (r < 0) throw new BusException(out[0]);
        return r == 0;
    }

    @Override
    public void close() {
        if (handle != 0) SdBusNative.close(handle);
        handle = 0;
    }

    private long open() {
        if (handle == 0) throw new IllegalStateException("the systemd bus connection is closed");
        return handle;
    }

    /** The record list cremasystemd.c reads (format at its top). */
    static byte[] encode(List<Property> properties) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Property p : properties) {
            cstring(out, p.name());
            cstring(out, p.signature());
            Object v = p.value();
            switch (p.signature()) {
                case "s" -> cstring(out, (String) v);
                case "b" -> out.write((Boolean) v ? 1 : 0);
                case "u", "i" -> out.writeBytes(le(4).putInt((Integer) v).array());
                case "t", "x" -> out.writeBytes(le(8).putLong((Long) v).array());
                case "ay" -> {
                    byte[] b = (byte[]) v;
                    out.writeBytes(le(4).putInt(b.length).array());
                    out.writeBytes(b);
                }
                case "au" -> {
                    int[] a = (int[]) v;
                    out.writeBytes(le(4).putInt(a.length).array());
                    for (int x : a) out.writeBytes(le(4).putInt(x).array());
                }
                case "a(ss)" -> {
                    List<?> pairs = (List<?>) v;
                    out.writeBytes(le(4).putInt(pairs.size()).array());
                    for (Object o : pairs) {
                        Pair pair = (Pair) o;
                        cstring(out, pair.first());
                        cstring(out, pair.second());
                    }
                }
                default -> throw new IllegalArgumentException("property " + p.name() + ": signature " + p.signature() + " is not supported");
            }
        }
        return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void cstring(ByteArrayOutputStream out, String s) {
        if (s.indexOf(0) >= 0) throw new IllegalArgumentException("a NUL in \"" + s.replace("\0", "\\0") + "\"");
        out.writeBytes(bytes(s));
        out.write(0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void load() {
        if (loaded) return;
        synchronized (SystemdBus.class) {
            if (loaded) return;
            Path dir = Sys.libdir();
            Path lib = dir != null ? dir.resolve("libcremasystemd.so") : null;
            try {
                if (lib != null && Files.exists(lib)) System.load(lib.toAbsolutePath().toString());
                else System.loadLibrary("cremasystemd");
            } catch (UnsatisfiedLinkError e) {
                throw new BusException("cannot load libcremasystemd (libsystemd's sd-bus): " + e.getMessage());
            }
            loaded = true;
        }
    }
}

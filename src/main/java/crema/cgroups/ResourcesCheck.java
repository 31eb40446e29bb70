package crema.cgroups;

import crema.plan.InvalidSpecException;
import crema.spec.BlockIo;
import crema.spec.Cpu;
import crema.spec.DeviceCgroup;
import crema.spec.HugepageLimit;
import crema.spec.InterfacePriority;
import crema.spec.Memory;
import crema.spec.Resources;
import crema.spec.ThrottleDevice;
import crema.spec.WeightDevice;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * linux.resources values no cgroup could take, refused before anything is
 * created; each error starts with the JSON path. What depends on the host
 * (a controller, a page size, swap accounting) is checked where it is written.
 */
public final class ResourcesCheck {
    static final String ROOT = "linux.resources";
    /** runc's "unset" for swappiness is -1, which arrives as the uint64 bit pattern of -1. */
    static final long SWAPPINESS_UNSET = -1;
    private static final Pattern CPU_LIST = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");
    private static final Pattern PAGE_SIZE = Pattern.compile("\\d+(KB|MB|GB|TB|PB)");
    private static final Pattern NAME = Pattern.compile("[^\\s/]+");
    private static final long MAX_DEVICE_NUMBER = 0x7fffffffL;

    private ResourcesCheck() {}

    public static void check(Resources r) {
        if (r == null) return;
        devices(r.devices());
        if (r.memory() != null) memory(r.memory());
        if (r.cpu() != null) cpu(r.cpu());
        if (r.blockIO() != null) blockIo(r.blockIO());
        hugepages(r.hugepageLimits());
        if (r.network() != null && r.network().priorities() != null) {
            List<InterfacePriority> ps = r.network().priorities();
            for (int i = 0; i < ps.size(); i++) {
                name(ROOT + ".network.priorities[" + i + "].name", ps.get(i).name(), "an interface name");
            }
        }
        if (r.rdma() != null) for (String dev : r.rdma().keySet()) name(ROOT + ".rdma", dev, "an RDMA device name");
        unified(r.unified());
    }

    private static void devices(List<DeviceCgroup> devices) {
        if (devices == null) return;
        for (int i = 0; i < devices.size(); i++) {
            DeviceCgroup d = devices.get(i);
            String at = ROOT + ".devices[" + i + "]";
            if (d.type() != null && !d.type().isEmpty() && !List.of("a", "b", "c").contains(d.type())) {
                throw new InvalidSpecException(at + ".type", "must be \"a\", \"b\" or \"c\", not \"" + d.type() + "\"");
            }
            if (d.access() == null || d.access().isEmpty()) throw new InvalidSpecException(at + ".access", "must not be empty");
            if (!d.access().matches("[rwm]+") || d.access().chars().distinct().count() != d.access().length()) {
                throw new InvalidSpecException(at + ".access", "must be letters of \"rwm\", each once, not \"" + d.access() + "\"");
            }
            deviceNumber(at + ".major", d.major());
            deviceNumber(at + ".minor", d.minor());
        }
    }

    /** null or -1 is any; the filter compares 31-bit numbers. */
    private static void deviceNumber(String at, Long n) {
        if (n != null && n != DeviceRule.ANY && (n < 0 || n > MAX_DEVICE_NUMBER)) {
            throw new InvalidSpecException(at, "must be a device number or -1 (any), not " + n);
        }
    }

    private static void memory(Memory m) {
        String at = ROOT + ".memory";
        bytes(at + ".limit", m.limit());
        bytes(at + ".reservation", m.reservation());
        bytes(at + ".swap", m.swap());
        bytes(at + ".kernelTCP", m.kernelTCP());
        if (m.limit() != null && m.swap() != null && m.limit() > 0 && m.swap() > 0 && m.swap() < m.limit()) {
            throw new InvalidSpecException(at + ".swap", "memory+swap limit " + m.swap()
                    + " must not be lower than the memory limit " + m.limit());
        }
        Long s = m.swappiness();
        if (s != null && s != SWAPPINESS_UNSET && (s < 0 || s > 100)) {
            throw new InvalidSpecException(at + ".swappiness", "invalid memory swappiness value: "
                    + Long.toUnsignedString(s) + " (valid range is 0-100)");
        }
    }

    /** A byte limit: -1 (unlimited), 0 (unset) or a positive count. */
    private static void bytes(String at, Long v) {
        if (v != null && v < -1) throw new InvalidSpecException(at, "must be -1 (unlimited) or a number of bytes, not " + v);
    }

    private static void cpu(Cpu c) {
        String at = ROOT + ".cpu";
        if (c.quota() != null && c.quota() < -1) throw new InvalidSpecException(at + ".quota", "must be -1 (unlimited) or positive, not " + c.quota());
        if (c.realtimeRuntime() != null && c.realtimeRuntime() < -1) {
            throw new InvalidSpecException(at + ".realtimeRuntime", "must be -1 (unlimited) or positive, not " + c.realtimeRuntime());
        }
        if (c.idle() != null && c.idle() != 0 && c.idle() != 1) throw new InvalidSpecException(at + ".idle", "must be 0 or 1, not " + c.idle());
        cpuList(at + ".cpus", c.cpus());
        cpuList(at + ".mems", c.mems());
    }

    private static void cpuList(String at, String list) {
        if (list != null && !list.isBlank() && !CPU_LIST.matcher(list.strip()).matches()) {
            throw new InvalidSpecException(at, "must be a list like \"0-3,7\", not \"" + list + "\"");
        }
    }

    private static void blockIo(BlockIo b) {
        String at = ROOT + ".blockIO";
        if (b.weightDevice() != null) {
            for (int i = 0; i < b.weightDevice().size(); i++) {
                WeightDevice w = b.weightDevice().get(i);
                device(at + ".weightDevice[" + i + "]", w.major(), w.minor());
            }
        }
        throttles(at + ".throttleReadBpsDevice", b.throttleReadBpsDevice());
        throttles(at + ".throttleWriteBpsDevice", b.throttleWriteBpsDevice());
        throttles(at + ".throttleReadIOPSDevice", b.throttleReadIOPSDevice());
        throttles(at + ".throttleWriteIOPSDevice", b.throttleWriteIOPSDevice());
    }

    private static void throttles(String at, List<ThrottleDevice> list) {
        if (list == null) return;
        for (int i = 0; i < list.size(); i++) device(at + "[" + i + "]", list.get(i).major(), list.get(i).minor());
    }

    private static void device(String at, long major, long minor) {
        if (major < 0 || major > MAX_DEVICE_NUMBER) throw new InvalidSpecException(at + ".major", "must be a device number, not " + major);
        if (minor < 0 || minor > MAX_DEVICE_NUMBER) throw new InvalidSpecException(at + ".minor", "must be a device number, not " + minor);
    }

    private static void hugepages(List<HugepageLimit> limits) {
        if (limits == null) return;
        for (int i = 0; i < limits.size(); i++) {
            String size = limits.get(i).pageSize();
            if (size == null || !PAGE_SIZE.matcher(size).matches()) {
                throw new InvalidSpecException(ROOT + ".hugepageLimits[" + i + "].pageSize",
                        "must be a size like \"2MB\" or \"1GB\", not " + (size == null ? "missing" : "\"" + size + "\""));
            }
        }
    }

    private static void name(String at, String value, String what) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new InvalidSpecException(at, "must be " + what + " (no blanks or slashes), not \"" + value + "\"");
        }
    }

    /** runc's rules: a file name "controller.parameter" of the container's own cgroup. */
    private static void unified(Map<String, String> unified) {
        if (unified == null) return;
        for (String key : unified.keySet()) {
            String at = ROOT + ".unified." + key;
            if (key.contains("/")) throw new InvalidSpecException(at, "must be a file name (no slashes)");
            int dot = key.indexOf('.');
            if (dot <= 0 || dot == key.length() - 1) throw new InvalidSpecException(at, "must be in the form CONTROLLER.PARAMETER");
        }
    }
}

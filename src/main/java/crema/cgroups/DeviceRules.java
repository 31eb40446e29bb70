package crema.cgroups;

import crema.spec.Device;
import crema.spec.DeviceCgroup;
import crema.spec.Linux;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The device rules a container gets, in runc's order: the spec's
 * linux.resources.devices first, then the default devices appended, so the
 * defaults stay usable even after the spec's usual "deny all". Both cgroup
 * versions start from deny-all, as runc's rule emulator does. The host's
 * console (c 5:1) is not among them: a container's /dev/console is its own
 * pty, bound there, which the /dev/pts/* rule covers.
 */
public final class DeviceRules {
    /** A default rule, and the /dev path it is for (a linux.devices entry of that path replaces it). */
    private record Default(String path, DeviceRule rule) {}

    private static final List<Default> DEFAULTS = List.of(
            new Default(null, new DeviceRule(true, 'c', DeviceRule.ANY, DeviceRule.ANY, "m")),
            new Default(null, new DeviceRule(true, 'b', DeviceRule.ANY, DeviceRule.ANY, "m")),
            chr("/dev/null", 1, 3), chr("/dev/random", 1, 8), chr("/dev/full", 1, 7), chr("/dev/tty", 5, 0),
            chr("/dev/zero", 1, 5), chr("/dev/urandom", 1, 9),
            chr(null, 136, DeviceRule.ANY), // /dev/pts/*
            chr("/dev/ptmx", 5, 2), chr("/dev/net/tun", 10, 200));

    private DeviceRules() {}

    private static Default chr(String path, long major, long minor) {
        return new Default(path, new DeviceRule(true, 'c', major, minor, "rwm"));
    }

    /** The rules for a container's linux section (null: no linux section, defaults only). */
    public static List<DeviceRule> forContainer(Linux linux) {
        List<DeviceRule> rules = new ArrayList<>();
        if (linux != null && linux.resources() != null && linux.resources().devices() != null) {
            for (DeviceCgroup d : linux.resources().devices()) rules.add(of(d));
        }
        Set<String> specPaths = linux == null || linux.devices() == null ? Set.of()
                : linux.devices().stream().map(Device::path).collect(Collectors.toSet());
        for (Default d : DEFAULTS) {
            if (d.path() == null || !specPaths.contains(d.path())) rules.add(d.rule());
        }
        return List.copyOf(rules);
    }

    /** A spec rule, already checked by {@link ResourcesCheck}: no type means 'a', no number means any. */
    static DeviceRule of(DeviceCgroup d) {
        char type = d.type() == null || d.type().isEmpty() ? 'a' : d.type().charAt(0);
        long major = d.major() == null ? DeviceRule.ANY : d.major();
        long minor = d.minor() == null ? DeviceRule.ANY : d.minor();
        return new DeviceRule(d.allow(), type, major, minor, d.access());
    }
}

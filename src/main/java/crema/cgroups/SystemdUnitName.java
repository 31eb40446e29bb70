package crema.cgroups;

import crema.state.ContainerException;

/**
 * Where the systemd driver puts a container, from linux.cgroupsPath as runc
 * reads it with --systemd-cgroup: "slice:prefix:name" gives the scope
 * "prefix-name.scope" in "slice" (default system.slice); an empty path is
 * ":crema:ID". A name ending in ".slice" is a slice unit of its own instead
 * of a scope (runc's rule).
 *
 * @param slice the parent slice unit ("-.slice" is the root)
 * @param unit  the container's unit
 */
public record SystemdUnitName(String slice, String unit) {
    static final String DEFAULT_SLICE = "system.slice";
    private static final String FIELD = "linux.cgroupsPath";

    public static SystemdUnitName parse(String cgroupsPath, String id) {
        if (cgroupsPath == null || cgroupsPath.isEmpty()) return new SystemdUnitName(DEFAULT_SLICE, "crema-" + id + ".scope");
        String[] parts = cgroupsPath.split(":", -1);
        if (parts.length != 3) {
            throw new ContainerException(FIELD + ": expected \"slice:prefix:name\" for systemd cgroups, got \"" + cgroupsPath + "\"");
        }
        String slice = parts[0].isEmpty() ? DEFAULT_SLICE : parts[0];
        String name = parts[2];
        if (name.isEmpty()) throw new ContainerException(FIELD + ": the name in \"" + cgroupsPath + "\" is empty");
        for (String part : new String[] {slice, parts[1], name}) {
            if (part.contains("/")) throw new ContainerException(FIELD + ": \"" + part + "\" must not contain a '/' (systemd unit names cannot)");
        }
        expand(slice); // refused now, before anything is made
        String unit = name.endsWith(".slice") ? name : (parts[1].isEmpty() ? "" : parts[1] + "-") + name + ".scope";
        if (unit.endsWith(".slice")) expand(unit);
        return new SystemdUnitName(slice, unit);
    }

    /**
     * The cgroup path of a slice, as systemd nests it: "a-b-c.slice" is
     * /a.slice/a-b.slice/a-b-c.slice, "-.slice" is /. Empty components
     * ("a--b.slice", "-a.slice") are refused, as systemd refuses them.
     */
    public static String expand(String slice) {
        String suffix = ".slice";
        if (!slice.endsWith(suffix) || slice.length() == suffix.length() || slice.contains("/")) {
            throw new ContainerException(FIELD + ": invalid slice name \"" + slice + "\"");
        }
        String base = slice.substring(0, slice.length() - suffix.length());
        if (base.equals("-")) return "/";
        StringBuilder path = new StringBuilder();
        StringBuilder prefix = new StringBuilder();
        for (String component : base.split("-", -1)) {
            if (component.isEmpty()) throw new ContainerException(FIELD + ": invalid slice name \"" + slice + "\"");
            path.append('/').append(prefix).append(component).append(suffix);
            prefix.append(component).append('-');
        }
        return path.toString();
    }

    /** The unit's cgroup path below a hierarchy's root: the slice's path, then the unit (a slice unit is its own path). */
    public String cgroupPath() {
        if (unit.endsWith(".slice")) return expand(unit);
        String parent = expand(slice);
        return (parent.equals("/") ? "" : parent) + "/" + unit;
    }

    public boolean isScope() {
        return unit.endsWith(".scope");
    }
}

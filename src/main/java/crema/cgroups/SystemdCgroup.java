package crema.cgroups;

import crema.spec.Resources;
import crema.state.ContainerException;
import crema.sys.SystemdBus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The systemd driver (--systemd-cgroup): the container's cgroup is a
 * transient unit systemd makes over D-Bus, named and placed from
 * linux.cgroupsPath ({@link SystemdUnitName}), with Delegate=yes and the
 * resources as unit properties ({@link SystemdProperties}). File work
 * (the limits systemd has no property for, freezing, stats) goes to the
 * host's cgroupfs manager on the unit's directories, as runc does.
 *
 * A scope can only be started with its first process, so create makes only
 * what systemd does not manage (v1 hierarchies such as freezer or cpuset),
 * apply remembers the limits, and join of the helper starts the unit and
 * then writes the files. Only the unit's directory counts as made: delete
 * stops the unit, never a slice.
 */
public final class SystemdCgroup implements CgroupManager {
    /** How long a job (start, stop) may take: systemd under load, or in an emulated guest, is slow. */
    static final int JOB_TIMEOUT_MS = 30_000;
    /** The v1 controllers systemd puts a unit's processes in itself; the others are crema's to make. */
    private static final Set<String> SYSTEMD_V1 = Set.of("cpu", "cpuacct", "blkio", "memory", "devices", "pids", "systemd", "unified");

    private final CgroupManager files;
    private final boolean unified;
    private Map<String, String> annotations = Map.of();
    private String id;
    private SystemdBus bus;
    private SystemdUnitName name;
    private Resources resources;
    private List<DeviceRule> devices;
    private boolean started;
    /** StartTransientUnit found a unit of that name: someone else's, never stopped by this create's cleanup. */
    private boolean foreign;

    /** @param files the host's cgroupfs manager, for the unit's files */
    public SystemdCgroup(CgroupManager files) {
        this.files = files;
        this.unified = files instanceof CgroupV2;
    }

    /** Connects on first use: every command of the driver needs systemd, and fails here, before it made anything, without it. */
    private SystemdBus bus(String unit) {
        if (bus != null) return bus;
        try {
            bus = SystemdBus.connect(JOB_TIMEOUT_MS);
        } catch (SystemdBus.BusException e) {
            throw new ContainerException("--systemd-cgroup: no systemd is reachable over D-Bus for unit " + unit + " ("
                    + e.getMessage() + ")");
        }
        return bus;
    }

    /** Also checks that systemd answers and that the annotations are valid: create fails here, before it reserved anything. */
    @Override
    public List<Dir> locate(String cgroupsPath, String id) {
        return locate(cgroupsPath, id, Map.of());
    }

    @Override
    public List<Dir> locate(String cgroupsPath, String id, Map<String, String> annotations) {
        this.id = id;
        this.annotations = annotations == null ? Map.of() : annotations;
        name = SystemdUnitName.parse(cgroupsPath, id);
        SystemdProperties.annotations(this.annotations);
        bus(name.unit());
        return files.locate(name.cgroupPath(), id);
    }

    /** Where crema itself is: the same for either driver. */
    @Override
    public List<Dir> own() {
        return files.own();
    }

    @Override
    public List<Path> wouldCreate(List<Dir> dirs) {
        List<Path> out = new ArrayList<>();
        for (Dir d : dirs) {
            if (bySystemd(d)) out.add(d.path());
            else out.addAll(CgroupFiles.missing(d.path()));
        }
        return out;
    }

    @Override
    public List<Path> create(List<Dir> dirs) {
        List<Dir> ours = new ArrayList<>();
        List<Path> made = new ArrayList<>();
        for (Dir d : dirs) {
            if (!bySystemd(d)) {
                ours.add(d);
            } else if (Files.exists(d.path())) {
                // someone's unit of that name: not ours to join, nor to stop on delete
                throw new ContainerException("--systemd-cgroup: unit " + name.unit() + " exists already (" + d.path() + ")");
            } else {
                made.add(d.path());
            }
        }
        if (!ours.isEmpty()) made.addAll(files.create(ours));
        return made;
    }

    private boolean bySystemd(Dir d) {
        if (unified) return true;
        for (String c : d.hierarchy().split(",")) if (SYSTEMD_V1.contains(c)) return true;
        return false;
    }

    /** At create the unit does not exist yet: the limits wait for join, which starts it. */
    @Override
    public void apply(List<Path> dirs, Resources resources, List<DeviceRule> devices, boolean update) {
        if (!update) {
            this.resources = resources;
            this.devices = devices;
            SystemdProperties.resources(resources, devices, unified, 0); // a bad value fails before anything starts
            return;
        }
        String unit = unitOf(dirs);
        List<SystemdBus.Property> props = SystemdProperties.resources(resources, null, unified, bus(unit).version());
        if (!props.isEmpty()) {
            // On v1 systemd applies a unit's device rules anew when its properties change (deny all, then
            // allow each): a process opening a device meanwhile could get EPERM. As runc does, the
            // container is frozen for the call, unless it is paused already.
            boolean freeze = files instanceof CgroupV1 v1 && v1.thawed(dirs);
            if (freeze) files.setFrozen(dirs, true);
            try {
                bus(unit).setUnitProperties(unit, props);
            } catch (SystemdBus.BusException e) {
                throw new ContainerException("--systemd-cgroup: update unit " + unit + ": " + e.getMessage());
            } finally {
                if (freeze) files.setFrozen(dirs, false);
            }
        }
        files.apply(dirs, resources, null, true);
    }

    /** The first join (create's helper) starts the unit with it; any later one is a plain move. */
    @Override
    public void join(List<Path> dirs, int pid) {
        if (!started && name != null) {
            String unit = name.unit();
            List<SystemdBus.Property> props = new ArrayList<>(SystemdProperties.unit(name, id, unified, pid));
            props.addAll(SystemdProperties.resources(resources, devices, unified, bus(unit).version()));
            props.addAll(SystemdProperties.annotations(annotations));
            try {
                bus(unit).startTransientUnit(unit, props, JOB_TIMEOUT_MS);
            } catch (SystemdBus.BusException e) {
                foreign = e.getMessage().contains("org.freedesktop.systemd1.UnitExists");
                throw new ContainerException("--systemd-cgroup: start unit " + unit + ": " + e.getMessage());
            }
            started = true;
            files.apply(dirs, resources, devices, false);
        }
        // v1 hierarchies systemd does not manage; in the unit's own, the pid is there already
        files.join(dirs, pid);
    }

    @Override
    public void setFrozen(List<Path> dirs, boolean frozen) {
        files.setFrozen(dirs, frozen);
    }

    @Override
    public CgroupStats stats(List<Path> dirs) {
        return files.stats(dirs);
    }

    @Override
    public long oomCount(List<Path> dirs) {
        return files.oomCount(dirs);
    }

    /** Stops the unit (its directories are the deepest made), then removes what crema made itself. */
    @Override
    public void destroy(List<Path> created) {
        if (created.isEmpty()) return;
        String unit = unitOf(created);
        if (foreign) {
            files.destroy(created.stream().filter(p -> !p.getFileName().toString().equals(unit)).toList());
            return;
        }
        try {
            bus(unit).stopUnit(unit, JOB_TIMEOUT_MS);
        } catch (SystemdBus.BusException e) {
            throw new ContainerException("--systemd-cgroup: stop unit " + unit + ": " + e.getMessage());
        }
        files.destroy(created);
    }

    /** The unit's name: that of the deepest directory, which every hierarchy shares. */
    static String unitOf(List<Path> dirs) {
        Path deepest = dirs.get(0);
        for (Path p : dirs) if (p.getNameCount() > deepest.getNameCount()) deepest = p;
        return deepest.getFileName().toString();
    }
}

package crema.cgroups;

import static crema.cgroups.CgroupFiles.set;
import static crema.cgroups.ResourcesCheck.ROOT;

import crema.spec.BlockIo;
import crema.spec.Cpu;
import crema.spec.HugepageLimit;
import crema.spec.InterfacePriority;
import crema.spec.Memory;
import crema.spec.Rdma;
import crema.spec.Resources;
import crema.spec.ThrottleDevice;
import crema.spec.WeightDevice;
import crema.state.ContainerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * linux.resources written into the v1 hierarchies, controller by controller
 * in runc's order, with runc's rules (0 or absent leaves a value as it is).
 */
final class V1Resources {
    private final Map<String, Path> dirs;

    /** @param dirs the container's directory for each mounted controller ("memory" → .../memory/ctr) */
    V1Resources(Map<String, Path> dirs) {
        this.dirs = dirs;
    }

    /**
     * @param devices the device rules, or null to leave them (update)
     * @param update  the container runs: honour memory.checkBeforeUpdate
     */
    void apply(Resources r, List<DeviceRule> devices, boolean update) {
        if (r != null && r.unified() != null && !r.unified().isEmpty()) {
            throw new ContainerException(ROOT + ".unified: cannot use unified on cgroup v1");
        }
        if (r != null && r.cpu() != null) cpuset(r.cpu());
        if (devices != null) devices(devices);
        if (r == null) return;
        if (r.memory() != null) memory(r.memory(), update);
        if (r.cpu() != null) cpu(r.cpu());
        if (r.pids() != null && r.pids().limit() != null) {
            long limit = r.pids().limit();
            set(dir("pids", ROOT + ".pids.limit"), "pids.max", limit > 0 ? Long.toString(limit) : "max", ROOT + ".pids.limit");
        }
        if (r.blockIO() != null) blkio(r.blockIO());
        if (r.hugepageLimits() != null) hugetlb(r.hugepageLimits());
        if (r.network() != null) network(r.network());
        if (r.rdma() != null) rdma(r.rdma());
    }

    /** The container's directory of a controller; an error naming the field when it is not mounted. */
    private Path dir(String controller, String field) {
        Path d = dirs.get(controller);
        if (d == null) throw new ContainerException(field + ": the " + controller + " cgroup controller is not mounted on this host");
        return d;
    }

    private void cpuset(Cpu c) {
        if (c.cpus() != null && !c.cpus().isBlank()) set(dir("cpuset", ROOT + ".cpu.cpus"), "cpuset.cpus", c.cpus(), ROOT + ".cpu.cpus");
        if (c.mems() != null && !c.mems().isBlank()) set(dir("cpuset", ROOT + ".cpu.mems"), "cpuset.mems", c.mems(), ROOT + ".cpu.mems");
    }

    /** From deny-all, each rule in order; a later rule overrides an earlier one, as in runc's emulator. */
    private void devices(List<DeviceRule> rules) {
        Path d = dirs.get("devices");
        if (d == null) return; // no devices controller on this host: nothing can enforce rules
        set(d, "devices.deny", "a", ROOT + ".devices");
        for (DeviceRule rule : rules) {
            for (String line : rule.v1Lines()) set(d, rule.allow() ? "devices.allow" : "devices.deny", line, ROOT + ".devices");
        }
    }

    private void memory(Memory m, boolean update) {
        String at = ROOT + ".memory";
        long limit = m.limit() == null ? 0 : m.limit();
        long swap = m.swap() == null ? 0 : m.swap();
        // runc: an unlimited memory with swap not given means unlimited swap too.
        if (limit == -1 && swap == 0) swap = -1;
        if (limit != 0 || swap != 0 || m.reservation() != null || m.kernelTCP() != null || m.swappiness() != null
                || Boolean.TRUE.equals(m.disableOOMKiller())) {
            Path d = dir("memory", at);
            if (update && Boolean.TRUE.equals(m.checkBeforeUpdate())) checkUsage(d, limit, swap);
            limitAndSwap(d, limit, swap);
            if (m.reservation() != null && m.reservation() != 0) {
                set(d, "memory.soft_limit_in_bytes", Long.toString(m.reservation()), at + ".reservation");
            }
            if (m.kernelTCP() != null && m.kernelTCP() != 0) {
                set(d, "memory.kmem.tcp.limit_in_bytes", Long.toString(m.kernelTCP()), at + ".kernelTCP");
            }
            if (Boolean.TRUE.equals(m.disableOOMKiller())) set(d, "memory.oom_control", "1", at + ".disableOOMKiller");
            if (m.swappiness() != null && m.swappiness() != ResourcesCheck.SWAPPINESS_UNSET) {
                set(d, "memory.swappiness", Long.toString(m.swappiness()), at + ".swappiness");
            }
        }
    }

    /** The kernel wants memsw >= memory at every step: raise first whichever has to grow. */
    private static void limitAndSwap(Path d, long limit, long swap) {
        String at = ROOT + ".memory";
        boolean swapFirst = false;
        if (limit != 0 && swap != 0) {
            long current = CgroupFiles.readNumber(d.resolve("memory.limit_in_bytes"));
            swapFirst = swap == -1 || Long.compareUnsigned(current, swap) < 0;
        }
        if (swapFirst) swap(d, swap);
        if (limit != 0) {
            try {
                set(d, "memory.limit_in_bytes", Long.toString(limit), at + ".limit");
            } catch (ContainerException e) {
                // EBUSY: the kernel could not reclaim down to the new limit.
                throw new ContainerException(e.getMessage() + " (current usage: "
                        + CgroupFiles.readNumber(d.resolve("memory.usage_in_bytes")) + ", peak usage: "
                        + CgroupFiles.readNumber(d.resolve("memory.max_usage_in_bytes")) + ")", e);
            }
        }
        if (!swapFirst && swap != 0) swap(d, swap);
    }

    private static void swap(Path d, long swap) {
        if (!Files.exists(d.resolve("memory.memsw.limit_in_bytes"))) {
            if (swap == -1) return; // no swap accounting: unlimited is what there is
            throw new ContainerException(ROOT + ".memory.swap: swap accounting is not enabled on this host (no "
                    + d.resolve("memory.memsw.limit_in_bytes") + ")");
        }
        set(d, "memory.memsw.limit_in_bytes", Long.toString(swap), ROOT + ".memory.swap");
    }

    /** memory.checkBeforeUpdate: refuse a limit the container already uses more than. */
    private static void checkUsage(Path d, long limit, long swap) {
        long usage = CgroupFiles.readNumber(d.resolve("memory.usage_in_bytes"));
        if (limit > 0 && limit <= usage) {
            throw new ContainerException(ROOT + ".memory.limit: rejecting memory limit " + limit + " <= usage " + usage);
        }
        long swapUsage = CgroupFiles.readNumber(d.resolve("memory.memsw.usage_in_bytes"));
        if (swap > 0 && swap <= swapUsage) {
            throw new ContainerException(ROOT + ".memory.swap: rejecting memory+swap limit " + swap + " <= usage " + swapUsage);
        }
    }

    private void cpu(Cpu c) {
        String at = ROOT + ".cpu";
        boolean any = c.shares() != null || c.period() != null || c.quota() != null || c.burst() != null
                || c.realtimePeriod() != null || c.realtimeRuntime() != null || c.idle() != null;
        if (!any) return;
        Path d = dir("cpu", at);
        // Realtime first: the runtime must fit the period.
        if (nonZero(c.realtimePeriod())) set(d, "cpu.rt_period_us", Long.toUnsignedString(c.realtimePeriod()), at + ".realtimePeriod");
        if (nonZero(c.realtimeRuntime())) set(d, "cpu.rt_runtime_us", Long.toString(c.realtimeRuntime()), at + ".realtimeRuntime");
        if (nonZero(c.shares())) {
            set(d, "cpu.shares", Long.toUnsignedString(c.shares()), at + ".shares");
            long got = CgroupFiles.readNumber(d.resolve("cpu.shares"));
            // The kernel clamps out-of-range shares silently; runc reports it.
            if (Long.compareUnsigned(c.shares(), got) > 0) throw new ContainerException(at + ".shares: the maximum allowed cpu-shares is " + got);
            if (Long.compareUnsigned(c.shares(), got) < 0) throw new ContainerException(at + ".shares: the minimum allowed cpu-shares is " + got);
        }
        boolean periodPending = false;
        if (nonZero(c.period())) {
            try {
                set(d, "cpu.cfs_period_us", Long.toUnsignedString(c.period()), at + ".period");
            } catch (ContainerException e) {
                // A shorter period can be refused while the old quota/period exceeds the parent's: retry after the quota.
                if (!nonZero(c.quota())) throw e;
                periodPending = true;
            }
        }
        if (nonZero(c.quota())) {
            set(d, "cpu.cfs_quota_us", Long.toString(c.quota()), at + ".quota");
            if (periodPending) set(d, "cpu.cfs_period_us", Long.toUnsignedString(c.period()), at + ".period");
        }
        if (c.burst() != null) set(d, "cpu.cfs_burst_us", Long.toUnsignedString(c.burst()), at + ".burst");
        if (c.idle() != null) set(d, "cpu.idle", Long.toString(c.idle()), at + ".idle");
    }

    private static boolean nonZero(Long v) {
        return v != null && v != 0;
    }

    /** BFQ's files when the kernel has them (CFQ is gone), as runc picks them. */
    private void blkio(BlockIo b) {
        String at = ROOT + ".blockIO";
        Path d = dir("blkio", at);
        boolean bfq = Files.exists(d.resolve("blkio.bfq.weight"));
        if (b.weight() != null && b.weight() != 0) {
            set(d, bfq ? "blkio.bfq.weight" : "blkio.weight", b.weight().toString(), at + ".weight");
        }
        if (b.leafWeight() != null && b.leafWeight() != 0) set(d, "blkio.leaf_weight", b.leafWeight().toString(), at + ".leafWeight");
        if (b.weightDevice() != null) {
            for (int i = 0; i < b.weightDevice().size(); i++) {
                WeightDevice w = b.weightDevice().get(i);
                String field = at + ".weightDevice[" + i + "]";
                if (w.weight() != null && w.weight() != 0) {
                    set(d, bfq ? "blkio.bfq.weight_device" : "blkio.weight_device", w.major() + ":" + w.minor() + " " + w.weight(), field);
                }
                if (w.leafWeight() != null && w.leafWeight() != 0) {
                    set(d, "blkio.leaf_weight_device", w.major() + ":" + w.minor() + " " + w.leafWeight(), field);
                }
            }
        }
        throttle(d, "blkio.throttle.read_bps_device", b.throttleReadBpsDevice(), at + ".throttleReadBpsDevice");
        throttle(d, "blkio.throttle.write_bps_device", b.throttleWriteBpsDevice(), at + ".throttleWriteBpsDevice");
        throttle(d, "blkio.throttle.read_iops_device", b.throttleReadIOPSDevice(), at + ".throttleReadIOPSDevice");
        throttle(d, "blkio.throttle.write_iops_device", b.throttleWriteIOPSDevice(), at + ".throttleWriteIOPSDevice");
    }

    private static void throttle(Path d, String file, List<ThrottleDevice> list, String field) {
        if (list == null) return;
        for (int i = 0; i < list.size(); i++) {
            ThrottleDevice t = list.get(i);
            set(d, file, t.major() + ":" + t.minor() + " " + Long.toUnsignedString(t.rate()), field + "[" + i + "]");
        }
    }

    private void hugetlb(List<HugepageLimit> limits) {
        for (int i = 0; i < limits.size(); i++) {
            HugepageLimit h = limits.get(i);
            String field = ROOT + ".hugepageLimits[" + i + "]";
            Path d = dir("hugetlb", field);
            String file = "hugetlb." + h.pageSize() + ".limit_in_bytes";
            if (!Files.exists(d.resolve(file))) {
                throw new ContainerException(field + ".pageSize: this host has no " + h.pageSize() + " huge pages (no " + d.resolve(file) + ")");
            }
            String limit = Long.toUnsignedString(h.limit());
            set(d, file, limit, field + ".limit");
            // The reservation limit (kernel 5.7+) too, so a reservation cannot dodge the limit.
            String rsvd = "hugetlb." + h.pageSize() + ".rsvd.limit_in_bytes";
            if (Files.exists(d.resolve(rsvd))) set(d, rsvd, limit, field + ".limit");
        }
    }

    private void network(crema.spec.Network n) {
        String at = ROOT + ".network";
        if (n.classID() != null && n.classID() != 0) set(dir("net_cls", at + ".classID"), "net_cls.classid", n.classID().toString(), at + ".classID");
        if (n.priorities() != null) {
            for (int i = 0; i < n.priorities().size(); i++) {
                InterfacePriority p = n.priorities().get(i);
                String field = at + ".priorities[" + i + "]";
                set(dir("net_prio", field), "net_prio.ifpriomap", p.name() + " " + p.priority(), field);
            }
        }
    }

    private void rdma(Map<String, Rdma> rdma) {
        for (var e : rdma.entrySet()) {
            String field = ROOT + ".rdma." + e.getKey();
            set(dir("rdma", field), "rdma.max", Conversions.rdmaLine(e.getKey(), e.getValue()), field);
        }
    }
}

package crema.cgroups;

import static crema.cgroups.CgroupFiles.set;
import static crema.cgroups.ResourcesCheck.ROOT;

import crema.spec.BlockIo;
import crema.spec.Cpu;
import crema.spec.HugepageLimit;
import crema.spec.Memory;
import crema.spec.Resources;
import crema.spec.ThrottleDevice;
import crema.state.ContainerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * linux.resources written into the container's v2 directory, converted from
 * their v1 meaning as runc converts them. Fields v2 has no file for
 * (swappiness, kernelTCP, disableOOMKiller, realtime, network, leaf weights)
 * are ignored, as runc ignores them.
 */
final class V2Resources {
    private final Path dir;

    V2Resources(Path dir) {
        this.dir = dir;
    }

    /** @param update the container runs: honour memory.checkBeforeUpdate, merge cpu.max with what is there */
    void apply(Resources r, boolean update) {
        if (r == null) return;
        if (r.pids() != null && r.pids().limit() != null) {
            long limit = r.pids().limit();
            set(dir, "pids.max", limit > 0 ? Long.toString(limit) : "max", ROOT + ".pids.limit");
        }
        if (r.memory() != null) memory(r.memory(), update);
        if (r.blockIO() != null) io(r.blockIO());
        if (r.cpu() != null) cpu(r.cpu());
        if (r.cpu() != null) cpuset(r.cpu());
        if (r.hugepageLimits() != null) hugetlb(r.hugepageLimits());
        if (r.rdma() != null) {
            for (var e : r.rdma().entrySet()) set(dir, "rdma.max", Conversions.rdmaLine(e.getKey(), e.getValue()), ROOT + ".rdma." + e.getKey());
        }
        if (r.unified() != null) unified(r.unified());
    }

    private void memory(Memory m, boolean update) {
        String at = ROOT + ".memory";
        long limit = m.limit() == null ? 0 : m.limit();
        long swap = m.swap() == null ? 0 : m.swap();
        long reservation = m.reservation() == null ? 0 : m.reservation();
        if (limit == 0 && swap == 0 && reservation == 0) return;
        if (update && Boolean.TRUE.equals(m.checkBeforeUpdate())) checkUsage(limit, swap);
        // An update may change swap alone: the memory limit it is relative to is the one in force.
        long memoryForSwap = limit != 0 ? limit : update && swap > 0 ? currentMemoryMax() : limit;
        long swapMax = Conversions.swapMax(swap, memoryForSwap, at + ".swap");
        String swapValue = swapMax == 0 ? (swap > 0 ? "0" : null) : Conversions.limit(swapMax);
        if (swapValue != null) {
            boolean noSwapFile = !Files.exists(dir.resolve("memory.swap.max"));
            // Without swap accounting, "no swap" and "unlimited swap" are both what there is.
            if (!(noSwapFile && (swapValue.equals("max") || swapValue.equals("0")))) set(dir, "memory.swap.max", swapValue, at + ".swap");
        }
        if (limit != 0) set(dir, "memory.max", Conversions.limit(limit), at + ".limit");
        if (reservation != 0) set(dir, "memory.low", Conversions.limit(reservation), at + ".reservation");
    }

    private long currentMemoryMax() {
        return CgroupFiles.readNumber(dir.resolve("memory.max"));
    }

    private void checkUsage(long limit, long swap) {
        long usage = CgroupFiles.readNumber(dir.resolve("memory.current"));
        if (swap > 0 && swap <= usage) {
            throw new ContainerException(ROOT + ".memory.swap: rejecting memory+swap limit " + swap + " <= usage " + usage);
        }
        if (limit > 0 && limit <= usage) {
            throw new ContainerException(ROOT + ".memory.limit: rejecting memory limit " + limit + " <= usage " + usage);
        }
    }

    private void io(BlockIo b) {
        String at = ROOT + ".blockIO";
        boolean bfq = Files.exists(dir.resolve("io.bfq.weight"));
        if (b.weight() != null && b.weight() != 0) {
            if (bfq) {
                set(dir, "io.bfq.weight", b.weight().toString(), at + ".weight");
            } else {
                set(dir, "io.weight", Long.toString(Conversions.ioWeight(b.weight())), at + ".weight");
            }
        }
        // Only BFQ takes a weight per device (runc skips them otherwise).
        if (bfq && b.weightDevice() != null) {
            for (int i = 0; i < b.weightDevice().size(); i++) {
                var w = b.weightDevice().get(i);
                if (w.weight() != null && w.weight() != 0) {
                    set(dir, "io.bfq.weight", w.major() + ":" + w.minor() + " " + w.weight(), at + ".weightDevice[" + i + "]");
                }
            }
        }
        throttle("rbps", b.throttleReadBpsDevice(), at + ".throttleReadBpsDevice");
        throttle("wbps", b.throttleWriteBpsDevice(), at + ".throttleWriteBpsDevice");
        throttle("riops", b.throttleReadIOPSDevice(), at + ".throttleReadIOPSDevice");
        throttle("wiops", b.throttleWriteIOPSDevice(), at + ".throttleWriteIOPSDevice");
    }

    private void throttle(String key, List<ThrottleDevice> list, String field) {
        if (list == null) return;
        for (int i = 0; i < list.size(); i++) {
            ThrottleDevice t = list.get(i);
            set(dir, "io.max", t.major() + ":" + t.minor() + " " + key + "=" + Long.toUnsignedString(t.rate()), field + "[" + i + "]");
        }
    }

    private void cpu(Cpu c) {
        String at = ROOT + ".cpu";
        if (c.idle() != null) set(dir, "cpu.idle", c.idle().toString(), at + ".idle");
        if (c.shares() != null && c.shares() != 0) set(dir, "cpu.weight", Long.toString(Conversions.cpuWeight(c.shares())), at + ".shares");
        boolean quota = c.quota() != null && c.quota() != 0;
        boolean period = c.period() != null && c.period() != 0;
        String burst = c.burst() == null ? null : Long.toUnsignedString(c.burst());
        boolean burstPending = false;
        if (burst != null) {
            try {
                set(dir, "cpu.max.burst", burst, at + ".burst");
            } catch (ContainerException e) {
                // A burst larger than the old quota is refused: retry once the new quota is in.
                if (!quota && !period) throw e;
                burstPending = true;
            }
        }
        if (quota || period) {
            // cpu.max is "$QUOTA $PERIOD"; one given alone keeps the other as it is.
            String field = quota ? at + ".quota" : at + ".period";
            if (!Files.exists(dir.resolve("cpu.max"))) {
                throw new ContainerException(field + ": no " + dir.resolve("cpu.max") + " (is the cpu controller available?)");
            }
            String[] current = CgroupFiles.read(dir.resolve("cpu.max")).split("\\s+");
            String q = quota ? Conversions.limit(c.quota()) : current[0];
            String p = period ? Long.toUnsignedString(c.period()) : current.length > 1 ? current[1] : "";
            set(dir, "cpu.max", (q + " " + p).trim(), field);
            if (burstPending) set(dir, "cpu.max.burst", burst, at + ".burst");
        }
    }

    private void cpuset(Cpu c) {
        if (c.cpus() != null && !c.cpus().isBlank()) set(dir, "cpuset.cpus", c.cpus(), ROOT + ".cpu.cpus");
        if (c.mems() != null && !c.mems().isBlank()) set(dir, "cpuset.mems", c.mems(), ROOT + ".cpu.mems");
    }

    private void hugetlb(List<HugepageLimit> limits) {
        for (int i = 0; i < limits.size(); i++) {
            HugepageLimit h = limits.get(i);
            String field = ROOT + ".hugepageLimits[" + i + "]";
            String file = "hugetlb." + h.pageSize() + ".max";
            if (!Files.exists(dir.resolve(file))) {
                throw new ContainerException(field + ".pageSize: no " + dir.resolve(file)
                        + ": this host has no " + h.pageSize() + " huge pages, or the hugetlb controller is not enabled");
            }
            String limit = Long.toUnsignedString(h.limit());
            set(dir, file, limit, field + ".limit");
            String rsvd = "hugetlb." + h.pageSize() + ".rsvd.max";
            if (Files.exists(dir.resolve(rsvd))) set(dir, rsvd, limit, field + ".limit");
        }
    }

    /** Raw "file": "value" pairs, written last so they override; a multi-line value is written line by line. */
    private void unified(Map<String, String> unified) {
        for (var e : unified.entrySet()) {
            String field = ROOT + ".unified." + e.getKey();
            if (!Files.exists(dir.resolve(e.getKey()))) {
                String controller = e.getKey().substring(0, e.getKey().indexOf('.'));
                throw new ContainerException(field + ": can't be set: no " + dir.resolve(e.getKey())
                        + (controller.equals("cgroup") ? "" : " (is the " + controller + " controller available?)"));
            }
            for (String line : e.getValue().split("\n")) {
                if (!line.isEmpty()) set(dir, e.getKey(), line, field);
            }
        }
    }
}

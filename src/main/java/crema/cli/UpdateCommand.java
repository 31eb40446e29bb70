package crema.cli;

import crema.cgroups.CgroupManager;
import crema.lifecycle.Update;
import crema.spec.BlockIo;
import crema.spec.Cpu;
import crema.spec.Memory;
import crema.spec.Pids;
import crema.spec.Resources;
import crema.spec.SpecException;
import crema.spec.SpecParser;
import crema.state.ContainerException;
import crema.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * `update [flags] <id>`: runc's flags, or --resources FILE (- for stdin)
 * holding a linux.resources object, in which case the other flags are
 * ignored, as in runc.
 */
final class UpdateCommand {
    int run(List<String> argv, Globals g) {
        Args a = Args.parse(argv, Commands.UPDATE);
        String id = a.id("update", 1, 1);
        Resources r = a.get("resources") != null ? fromFile(a.get("resources")) : fromFlags(a, g);
        if (r.devices() != null && !r.devices().isEmpty()) g.log().warn("update: device rules are not changed by update (as in runc)");
        new Update(new StateStore(g.root()), CgroupManager.forHost()).update(id, r);
        return 0;
    }

    private static Resources fromFile(String name) {
        byte[] json;
        try {
            json = name.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(name));
        } catch (IOException e) {
            throw new ContainerException("read resources " + (name.equals("-") ? "from stdin" : name) + ": " + e.getMessage(), e);
        }
        try {
            return SpecParser.parseResources(json, name.equals("-") ? "resources on stdin" : name);
        } catch (SpecException e) {
            throw new ContainerException("invalid resources: " + e.getMessage(), e);
        }
    }

    private static Resources fromFlags(Args a, Globals g) {
        for (String flag : List.of("kernel-memory", "kernel-memory-tcp")) {
            if (a.get(flag) != null) g.log().warn("Setting --" + flag + " is ignored and will be removed");
        }
        for (String flag : List.of("l3-cache-schema", "mem-bw-schema")) {
            if (a.get(flag) != null) throw new UsageException("--" + flag + ": Intel RDT is not supported by crema");
        }
        Long limit = size(a, "memory"), reservation = size(a, "memory-reservation"), swap = size(a, "memory-swap");
        Memory memory = limit == null && reservation == null && swap == null ? null
                : new Memory(limit, reservation, swap, null, null, null, null, null, null);
        Cpu cpu = new Cpu(a.longValue("cpu-share"), a.longValue("cpu-quota"), a.longValue("cpu-burst"), a.longValue("cpu-period"),
                a.longValue("cpu-rt-runtime"), a.longValue("cpu-rt-period"), a.get("cpuset-cpus"), a.get("cpuset-mems"),
                a.longValue("cpu-idle"));
        if (cpu.equals(new Cpu(null, null, null, null, null, null, null, null, null))) cpu = null;
        Long pidsLimit = a.longValue("pids-limit");
        Long weight = a.longValue("blkio-weight");
        if (weight != null && (weight < 0 || weight > 0xffff)) throw new UsageException("invalid value for blkio-weight: " + weight);
        BlockIo blkio = weight == null || weight == 0 ? null : new BlockIo(weight.intValue(), null, null, null, null, null, null);
        return new Resources(null, memory, cpu, pidsLimit == null ? null : new Pids(pidsLimit), blkio, null, null, null, null);
    }

    private static Long size(Args a, String flag) {
        String v = a.get(flag);
        return v == null ? null : ByteSizes.parse(v, flag);
    }
}

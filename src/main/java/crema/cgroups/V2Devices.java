package crema.cgroups;

import crema.sys.Sys;
import java.nio.file.Path;
import java.util.List;

/** Loads the device filter for a rule list and attaches it to a cgroup v2 directory. */
final class V2Devices {
    private static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15;
    private static final int BPF_CGROUP_DEVICE = 6;
    /** Programs of the parents keep running too; each must allow an access. */
    private static final int BPF_F_ALLOW_MULTI = 2;

    private V2Devices() {}

    /** The program stays attached after both fds are closed: the cgroup holds it. */
    static void attach(Path dir, List<DeviceRule> rules) {
        int prog = Sys.bpfProgLoad(BPF_PROG_TYPE_CGROUP_DEVICE, DeviceFilter.program(rules), "Apache-2.0",
                "device filter for " + dir);
        try {
            int dirFd = Sys.open(dir, Sys.O_RDONLY | Sys.O_DIRECTORY);
            try {
                Sys.bpfProgAttach(dirFd, prog, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, dir.toString());
            } finally {
                Sys.closeQuietly(dirFd);
            }
        } finally {
            Sys.closeQuietly(prog);
        }
    }
}

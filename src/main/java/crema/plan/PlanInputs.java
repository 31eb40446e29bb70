package crema.plan;

import crema.sys.Identity;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the plan needs besides config.json: the bundle, the container's own
 * state dir, the caller's flags and a few facts of the host. Tests pass fakes.
 *
 * @param cgroupDirs the container's cgroup directories, for "cgroup" mounts:
 *                   on a v1 host one per hierarchy (name → dir), on a v2 host one
 *                   entry with an empty name
 * @param isHostDirectory tells a bind source that is a directory from a file
 * @param isHostNamespace tells a namespace joined by path that is crema's own (the host's)
 * @param consoleSocket where the pty master goes when process.terminal is set, null for none
 */
public record PlanInputs(
        Path bundle,
        String fifoDir,
        int preserveFds,
        boolean noPivot,
        boolean newKeyring,
        List<CgroupDir> cgroupDirs,
        HostFacts host,
        Predicate<Path> isHostDirectory,
        Predicate<LaunchPlan.NamespaceJoin> isHostNamespace,
        SeccompProgram seccomp,
        String consoleSocket) {

    public record CgroupDir(String name, Path dir) {}

    /**
     * What the host has: /proc/kcore, the AppArmor and SELinux LSMs, a resctrl mount;
     * whether crema itself runs unconfined by AppArmor; and who crema runs as there
     * (a non-zero uid is rootless).
     */
    public record HostFacts(boolean kcore, boolean apparmor, boolean selinux, boolean resctrl, boolean unconfined,
            Identity caller) {
        public static HostFacts probe() {
            boolean apparmor = java.nio.file.Files.exists(Path.of("/sys/kernel/security/apparmor"));
            return new HostFacts(java.nio.file.Files.exists(Path.of("/proc/kcore")), apparmor,
                    java.nio.file.Files.exists(Path.of("/sys/fs/selinux/enforce")),
                    java.nio.file.Files.exists(Path.of("/sys/fs/resctrl/schemata")), !apparmor || ownLabelUnconfined(),
                    Identity.effective());
        }

        /** crema's own AppArmor label (the LSM's own file, else the shared one, as the kernel offers). */
        private static boolean ownLabelUnconfined() {
            for (String f : List.of("/proc/thread-self/attr/apparmor/current", "/proc/thread-self/attr/current")) {
                try {
                    return java.nio.file.Files.readString(Path.of(f)).trim().equals("unconfined");
                } catch (java.io.IOException e) {
                    // older kernels lack the first
                }
            }
            return false;
        }

        /**
         * Whether an AppArmor profile asks crema what it cannot do: any profile where AppArmor runs,
         * except "unconfined" (docker's --privileged and apparmor=unconfined) when crema runs unconfined
         * itself, which its processes then are too. Where AppArmor does not run, profiles are ignored, as runc does.
         */
        public boolean refusesAppArmor(String profile) {
            if (profile == null || profile.isEmpty() || !apparmor) return false;
            return !(profile.equals("unconfined") && unconfined);
        }

        public boolean rootless() {
            return caller.rootless();
        }
    }

    /** linux.seccomp compiled to BPF (by crema.seccomp, through libseccomp); null when there is none. */
    public record SeccompProgram(byte[] bpf, int flags, String listenerPath, String listenerMetadata) {}
}

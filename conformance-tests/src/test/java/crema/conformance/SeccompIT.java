package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** linux.seccomp compiled through libseccomp and loaded by crema-init; checked by the errno a blocked call returns. */
class SeccompIT extends ConformanceBase {
    /** Docker's default profile, as Debian's containers-common ships it (Docker's own JSON format). */
    private static final Path DOCKER_PROFILE = Path.of("/usr/share/containers/seccomp.json");

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private void seccomp(Map<String, Object> s) {
        bundle.set("linux.seccomp", s);
        bundle.set("root.readonly", false);
    }

    @Test
    void aBlockedSyscallReturnsTheConfiguredErrno() {
        seccomp(map("defaultAction", "SCMP_ACT_ALLOW", "architectures", new ArrayList<>(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86")),
                "syscalls", new ArrayList<>(List.of(map("names", new ArrayList<>(List.of("mkdir", "mkdirat")),
                        "action", "SCMP_ACT_ERRNO", "errnoRet", 13)))));
        bundle.shell("mkdir /made 2>&1; grep Seccomp: /proc/self/status | tr -d '\\t'");
        assertEquals("mkdir: can't create directory '/made': Permission denied\nSeccomp:2\n", runOk());
    }

    @Test
    void filterFlagsAreAccepted() {
        seccomp(map("defaultAction", "SCMP_ACT_ALLOW", "flags", new ArrayList<>(List.of("SECCOMP_FILTER_FLAG_LOG",
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC")),
                "syscalls", new ArrayList<>(List.of(map("names", new ArrayList<>(List.of("mkdir", "mkdirat")),
                        "action", "SCMP_ACT_ERRNO", "errnoRet", 1)))));
        bundle.shell("mkdir /m 2>&1 | grep -o 'not permitted'");
        assertEquals("not permitted\n", runOk());
    }

    @Test
    void argumentConditionsSelectCalls() {
        // personality(PER_LINUX32) is refused, personality(PER_LINUX) is not.
        seccomp(map("defaultAction", "SCMP_ACT_ALLOW", "syscalls", new ArrayList<>(List.of(map(
                "names", new ArrayList<>(List.of("personality")), "action", "SCMP_ACT_ERRNO", "errnoRet", 1,
                "args", new ArrayList<>(List.of(map("index", 0, "value", 8, "op", "SCMP_CMP_EQ"))))))));
        bundle.shell("linux64 true && echo linux64-ok; linux32 true 2>/dev/null || echo linux32-refused");
        assertEquals("linux64-ok\nlinux32-refused\n", runOk());
    }

    /**
     * Podman's profile (Debian's containers.conf, no CAP_AUDIT_WRITE) refuses netlink audit
     * sockets, socket(16, *, 9), and allows socket() whose domain is not 16: libseccomp answers
     * EEXIST for the second rule, which is no error (runc and crun run it); the filter is loaded.
     */
    @Test
    void aRuleLibseccompAlreadyCoversIsAccepted() {
        seccomp(map("defaultAction", "SCMP_ACT_LOG", "syscalls", new ArrayList<>(List.of(
                map("names", new ArrayList<>(List.of("socket")), "action", "SCMP_ACT_ERRNO", "errnoRet", 22,
                        "args", new ArrayList<>(List.of(map("index", 0, "value", 16, "op", "SCMP_CMP_EQ"),
                                map("index", 2, "value", 9, "op", "SCMP_CMP_EQ")))),
                map("names", new ArrayList<>(List.of("socket")), "action", "SCMP_ACT_ALLOW",
                        "args", new ArrayList<>(List.of(map("index", 0, "value", 16, "op", "SCMP_CMP_NE"))))))));
        bundle.shell("grep Seccomp: /proc/self/status | tr -d '\\t'");
        assertEquals("Seccomp:2\n", runOk());
    }

    /** What a static busybox running `sh -c 'echo ...'` calls (strace). */
    private static final List<String> BUSYBOX = List.of("arch_prctl", "brk", "execve", "exit_group", "getpid", "getppid",
            "getrandom", "getuid", "ioctl", "mprotect", "newfstatat", "prctl", "prlimit64", "readlink", "rseq",
            "rt_sigaction", "set_robust_list", "set_tid_address", "uname", "write");

    /**
     * A strict allow-list whose default is an errno (the validation suite's default profile, many
     * hand-written ones): with no_new_privs the filter goes on right before execve, so it need
     * allow nothing of crema's; without, it must go on while CAP_SYS_ADMIN is held, and after it
     * crema makes only the calls runc makes there (identity, the sync write, exec.fifo, execve),
     * never openat2, close_range, getcwd, sendto or rt_sigprocmask.
     */
    @Test
    void aStrictAllowListNeedsOnlyWhatRuncNeedsAfterIt() {
        for (boolean nnp : List.of(true, false)) {
            List<String> allowed = new ArrayList<>(BUSYBOX);
            if (!nnp) allowed.addAll(List.of("capset", "setgroups", "setresgid", "setresuid", "close", "openat"));
            seccomp(map("defaultAction", "SCMP_ACT_ERRNO", "defaultErrnoRet", 1, "syscalls", new ArrayList<>(List.of(
                    map("names", allowed, "action", "SCMP_ACT_ALLOW")))));
            bundle.set("process.noNewPrivileges", nnp);
            bundle.shell("echo strict");
            assertEquals("strict\n", runOk(), "noNewPrivileges " + nnp);
        }
    }

    /**
     * A profile refusing what it does not name with EPERM was written before the calls newer
     * than every call it names: those get ENOSYS, so libc falls back (clone3, faccessat2,
     * fchmodat2...). Here the newest named is rseq (334 on x86_64): faccessat2 (439) and
     * fchmodat2 (452, newer than some libseccomp releases) get ENOSYS; getcwd (79), older but
     * not named, keeps EPERM. Let through, each would fail otherwise (all its arguments are 0:
     * EFAULT, EFAULT, ERANGE). runc 1.1.5 prints the same three lines for this bundle (crun 1.8.1,
     * which has no such prefix, EPERM thrice).
     */
    @Test
    void callsNewerThanEveryNamedOneGetEnosys() throws Exception {
        assumeTrue("amd64".equals(System.getProperty("os.arch")), "the probed numbers are x86_64's");
        Files.copy(Path.of(System.getProperty("crema.probes", "target/native"), "syscall-probe"),
                bundle.rootfs.resolve("bin/syscall-probe"));
        seccomp(map("defaultAction", "SCMP_ACT_ERRNO", "defaultErrnoRet", 1,
                "architectures", new ArrayList<>(List.of("SCMP_ARCH_X86_64")),
                "syscalls", new ArrayList<>(List.of(map("names", new ArrayList<>(BUSYBOX), "action", "SCMP_ACT_ALLOW")))));
        bundle.set("process.noNewPrivileges", true);
        bundle.set("process.args", new ArrayList<>(List.of("/bin/syscall-probe", "439", "452", "79")));
        assertEquals("439 ENOSYS\n452 ENOSYS\n79 EPERM\n", runOk());
    }

    @Test
    void theDefaultErrnoAndEarlyLoadingWithoutNoNewPrivileges() {
        seccomp(map("defaultAction", "SCMP_ACT_ERRNO", "defaultErrnoRet", 38, "syscalls", new ArrayList<>(List.of(map(
                "names", new ArrayList<>(List.of("syslog")), "action", "SCMP_ACT_ERRNO", "errnoRet", 1)))));
        // Everything a shell needs is refused by default: allow-list them as a profile would, by names.
        @SuppressWarnings("unchecked")
        List<Object> rules = (List<Object>) ((Map<String, Object>) bundle.get("linux.seccomp")).get("syscalls");
        rules.add(map("names", new ArrayList<>(allowed()), "action", "SCMP_ACT_ALLOW"));
        bundle.set("process.noNewPrivileges", false);
        bundle.shell("echo shell-ok; dmesg 2>&1 | head -1; grep NoNewPrivs /proc/self/status | tr -d '\\t'");
        assertEquals("shell-ok\ndmesg: klogctl: Operation not permitted\nNoNewPrivs:0\n", runOk());
    }

    @Test
    @SuppressWarnings("unchecked")
    void dockersDefaultProfileLoadsAndAShellWorksUnderIt() throws Exception {
        assumeTrue(Files.exists(DOCKER_PROFILE), "containers-common is not installed");
        Map<String, Object> docker = (Map<String, Object>) Json.parse(Files.readString(DOCKER_PROFILE));
        // With CAP_SYS_ADMIN, swapon of a busy file fails with ETXTBSY in the kernel; the profile
        // refuses swapon outright with EPERM, so EPERM shows the filter is in force.
        List<Object> caps = new ArrayList<>(List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"));
        for (String set : List.of("bounding", "effective", "permitted")) bundle.set("process.capabilities." + set, caps);
        seccomp(OciProfile.fromDocker(docker, caps));
        bundle.shell("echo shell-ok; ls / | head -1; swapon /bin/busybox 2>&1; grep Seccomp: /proc/self/status | tr -d '\t'");
        assertEquals("shell-ok\nbin\nswapon: /bin/busybox: Operation not permitted\nSeccomp:2\n", runOk());
    }

    @Test
    @SuppressWarnings("unchecked")
    void notifyHandsTheListenerFdAndStateToTheAgent() throws Exception {
        Path agent = Path.of(System.getProperty("crema.probes", "target/native"), "seccomp-agent");
        Path socket = tmp.resolve("agent.sock");
        Path received = tmp.resolve("agent-state.json");
        // The agent answers every notified call with ENOMSG (42).
        Process p = new ProcessBuilder(agent.toString(), socket.toString(), received.toString(), "42")
                .redirectErrorStream(true).start();
        try {
            assertEquals("listening", new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine());
            seccomp(map("defaultAction", "SCMP_ACT_ALLOW", "listenerPath", socket.toString(), "listenerMetadata", "meta-1",
                    "syscalls", new ArrayList<>(List.of(map("names", new ArrayList<>(List.of("mkdir", "mkdirat")),
                            "action", "SCMP_ACT_NOTIFY")))));
            bundle.shell("mkdir /made 2>&1; echo after");
            String id = newId();
            bundle.save();
            Crema.Result r = crema.run("run", "--bundle", bundle.dir.toString(), id).ok();
            assertEquals("mkdir: can't create directory '/made': No message of desired type\nafter\n", r.out());
            Map<String, Object> state = (Map<String, Object>) Json.parse(Files.readString(received));
            assertEquals(List.of("seccompFd"), state.get("fds"));
            assertEquals("meta-1", state.get("metadata"));
            assertTrue(((Number) state.get("pid")).intValue() > 0);
            assertEquals(id, ((Map<String, Object>) state.get("state")).get("id"));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void notifyWithoutAListenerIsRefused() throws Exception {
        seccomp(map("defaultAction", "SCMP_ACT_ALLOW", "syscalls", new ArrayList<>(List.of(map(
                "names", new ArrayList<>(List.of("mkdir")), "action", "SCMP_ACT_NOTIFY")))));
        assertCreateFailsCleanly("linux.seccomp.listenerPath: must be set when SCMP_ACT_NOTIFY is used");
    }

    @Test
    void badNamesAreRefusedWithTheirPath() throws Exception {
        seccomp(map("defaultAction", "SCMP_ACT_ALLOW", "syscalls", new ArrayList<>(List.of(map(
                "names", new ArrayList<>(List.of("mkdir")), "action", "SCMP_ACT_NOPE")))));
        assertCreateFailsCleanly("linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_NOPE\"");
        seccomp(map("defaultAction", "SCMP_ACT_ALLOW", "architectures", new ArrayList<>(List.of("SCMP_ARCH_VAX"))));
        assertCreateFailsCleanly("linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_VAX\"");
    }

    /**
     * What busybox sh, echo, grep, tr, head and dmesg need on x86_64, and what
     * crema-init itself calls after an early load (credentials, capabilities,
     * the sync socket, the fifo).
     */
    private static List<String> allowed() {
        return List.of("read", "write", "openat", "open", "close", "fstat", "newfstatat", "stat", "lstat", "statx", "mmap",
                "munmap", "mprotect", "brk", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl", "pread64", "access",
                "pipe", "pipe2", "dup", "dup2", "dup3", "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "fork",
                "vfork", "clone", "clone3", "execve", "exit", "exit_group", "wait4", "waitid", "fcntl", "getcwd", "chdir",
                "uname", "arch_prctl", "set_tid_address", "set_robust_list", "prlimit64", "getrandom", "rseq", "lseek",
                "getdents64", "readlink", "sigaltstack", "futex", "poll", "ppoll", "select", "pselect6", "setpgid",
                "getpgrp", "getpgid", "sysinfo", "madvise", "mremap", "faccessat", "faccessat2", "gettid", "tgkill", "kill",
                "prctl", "capget", "capset", "setresuid", "setresgid", "setgroups", "umask", "close_range", "sendto",
                "sendmsg", "setrlimit", "sched_getaffinity", "openat2", "fchdir");
    }
}

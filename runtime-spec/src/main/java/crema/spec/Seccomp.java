package crema.spec;

import java.util.List;

/** {@code linux.seccomp}; defaultErrnoRet is uint32. */
public record Seccomp(
        String defaultAction,
        Long defaultErrnoRet,
        List<String> architectures,
        List<String> flags,
        String listenerPath,
        String listenerMetadata,
        List<SeccompSyscall> syscalls) {
}

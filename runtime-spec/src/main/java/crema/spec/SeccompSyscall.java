package crema.spec;

import java.util.List;

/** {@code linux.seccomp.syscalls[i]}; errnoRet is uint32. */
public record SeccompSyscall(List<String> names, String action, Long errnoRet, List<SeccompArg> args) {
}

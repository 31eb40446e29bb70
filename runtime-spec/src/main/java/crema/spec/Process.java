package crema.spec;

import java.util.List;

/** {@code process}: the container's init process. {@code oomScoreAdj} is null when absent. */
public record Process(
        boolean terminal,
        ConsoleSize consoleSize,
        User user,
        List<String> args,
        String commandLine,
        List<String> env,
        String cwd,
        Capabilities capabilities,
        List<Rlimit> rlimits,
        boolean noNewPrivileges,
        String apparmorProfile,
        Integer oomScoreAdj,
        Scheduler scheduler,
        String selinuxLabel,
        IoPriority ioPriority,
        ExecCpuAffinity execCPUAffinity) {
}

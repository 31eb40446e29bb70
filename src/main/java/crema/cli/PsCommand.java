package crema.cli;

import crema.lifecycle.Ps;
import crema.state.ContainerException;
import crema.state.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * `ps [--format table|json] <id> [ps options]`: json prints the pid list;
 * table runs the host's ps (default -ef) and keeps its header and the lines
 * of the container's processes, as runc does.
 */
final class PsCommand {

    int run(List<String> argv, Globals g) {
        Args a = Args.parse(argv, Commands.PS);
        if (a.positionals().isEmpty()) throw new UsageException("\"ps\" requires a minimum of 1 argument");
        String id = a.positionals().get(0);
        List<String> psArgs = a.positionals().subList(1, a.positionals().size());
        List<Integer> pids = new Ps(new StateStore(g.root())).pids(id);
        String format = a.get("format");
        switch (format) {
            case "json" -> g.out().println(pids.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]")));
            case "table" -> table(psArgs.isEmpty() ? List.of("-ef") : psArgs, new HashSet<>(pids), g);
            default -> throw new UsageException("invalid format option");
        }
        return 0;
    }

    private static void table(List<String> psArgs, Set<Integer> pids, Globals g) {
        List<String> cmd = new ArrayList<>(List.of("ps"));
        cmd.addAll(psArgs);
        String output;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new ContainerException("ps " + String.join(" ", psArgs) + ": " + output.strip());
        } catch (IOException e) {
            throw new ContainerException("run ps: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("run ps: interrupted");
        }
        String[] lines = output.split("\n");
        int pidColumn = List.of(lines[0].trim().split("\\s+")).indexOf("PID");
        if (pidColumn < 0) throw new ContainerException("couldn't find PID field in ps output");
        g.out().println(lines[0]);
        for (int i = 1; i < lines.length; i++) {
            String[] fields = lines[i].trim().split("\\s+");
            if (fields.length <= pidColumn) continue;
            try {
                if (pids.contains(Integer.parseInt(fields[pidColumn]))) g.out().println(lines[i]);
            } catch (NumberFormatException e) {
                throw new ContainerException("unexpected pid '" + fields[pidColumn] + "' in ps output");
            }
        }
    }
}

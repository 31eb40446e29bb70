package crema.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated bash completion, loaded into bash and called as readline
 * calls it (COMP_WORDS, COMP_CWORD); a stub `crema` on PATH answers
 * `list -q` with two ids and records its arguments.
 */
class BashCompletionTest {
    @TempDir
    Path tmp;

    @Test
    void completesCommandsFlagsValuesIdsAndSignals() throws Exception {
        Docs.main(new String[] {tmp.toString()});
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createDirectories(tmp.resolve("bundles/b1"));
        Path stub = bin.resolve("crema");
        Files.writeString(stub, "#!/bin/sh\necho \"$*\" >> " + tmp.resolve("calls") + "\necho web1\necho db2\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> lines = List.of(
                "crema k", "crema ''", "crema --l", "crema --log-format ''", "crema --root /r kill ''", "crema kill w",
                "crema kill web1 T", "crema list --format ''", "crema list --format = j", "crema run -",
                "crema exec web1 ls -", "crema exec -", "crema exec --user 0 ''", "crema help r", "crema --root=/s state d",
                "crema create --bundle bundles/", "crema create c1 -", "crema run ''");
        StringBuilder script = new StringBuilder();
        script.append("source ").append(tmp.resolve("bash-completion/crema")).append('\n');
        script.append("complete -p crema\n");
        script.append("t() { COMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _crema;"
                + " echo \"${COMPREPLY[*]}\"; }\n");
        for (String l : lines) script.append("t ").append(l).append('\n');
        Path file = tmp.resolve("test.sh");
        Files.writeString(file, script);
        ProcessBuilder pb = new ProcessBuilder("bash", "--norc", "--noprofile", file.toString()).directory(tmp.toFile());
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<String> got = out.lines().toList();
        String allCommands = "create start run exec state kill delete pause resume ps events checkpoint restore update list features spec help";
        List<String> want = List.of(
                "complete -o default -F _crema crema",
                "kill",
                allCommands,
                "--log --log-format",
                "text json",
                "web1 db2",
                "web1",
                "TRAP TERM TSTP TTIN TTOU",
                "table json",
                "json",
                "--bundle -b --console-socket --detach -d --keep --pid-file --no-subreaper --no-pivot --no-new-keyring"
                        + " --preserve-fds --help -h",
                "",
                "--console-socket --cwd --env -e --tty -t --user -u --additional-gids -g --process -p --detach -d"
                        + " --pid-file --process-label --apparmor --no-new-privs --cap -c --preserve-fds --help -h",
                "web1 db2",
                "run resume restore",
                "db2",
                "bundles/b1",
                "--bundle -b --console-socket --pid-file --no-pivot --no-new-keyring --preserve-fds --help -h",
                "");
        assertEquals(want, got, out);
        // ids come from `crema list -q`, with the --root of the command line
        assertEquals(List.of("--root /r list -q", "list -q", "list -q", "--root /s list -q"),
                Files.readAllLines(tmp.resolve("calls")));
    }
}

package crema.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import crema.cli.Args.Flag;
import crema.cli.Commands.Command;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated man pages render with man(1), without a groff warning, and list every flag of their command. */
class DocsTest {
    @TempDir
    Path tmp;

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("MANWIDTH", "200");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), cmd + ": " + out);
        return out;
    }

    @Test
    void everyPageRendersWithEveryFlag() throws Exception {
        Docs.main(new String[] {tmp.toString()});
        String crema = run(List.of("man", "-l", tmp.resolve("man8/crema.8").toString()));
        assertTrue(crema.contains("crema - an OCI container runtime"), crema);
        for (Flag f : Commands.GLOBAL) for (String n : f.names()) assertTrue(crema.contains(dashes(n)), n + "\n" + crema);
        for (Command c : Commands.ALL) {
            assertTrue(crema.contains("crema-" + c.name() + "(8)"), c.name());
            Path page = tmp.resolve("man8/crema-" + c.name() + ".8");
            assertEquals("", run(List.of("groff", "-man", "-ww", "-z", page.toString())), c.name());
            String text = run(List.of("man", "-l", page.toString()));
            assertTrue(text.contains("crema-" + c.name() + " - " + c.summary()), text);
            assertTrue(text.contains(Help.synopsis(c)), text);
            for (Flag f : c.flags()) {
                for (String n : f.names()) assertTrue(text.contains(dashes(n)), c.name() + ": " + n + "\n" + text);
            }
        }
    }

    private static String dashes(String name) {
        return (name.length() == 1 ? "-" : "--") + name;
    }
}

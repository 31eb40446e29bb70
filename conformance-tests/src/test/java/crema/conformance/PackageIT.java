package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * scripts/package builds the .deb from the staged install; dpkg installs it
 * into an empty root (--root, no network), where the executable, its man
 * pages, completion and podman drop-in work, and removes every file of it.
 */
class PackageIT extends ConformanceBase {

    private static String sh(String line) {
        Crema.Result r = run(List.of("/bin/sh", "-c", line));
        if (r.exit() != 0) throw new AssertionError(line + ": exit " + r.exit() + "\n" + r.out() + r.err());
        return r.out();
    }

    private static Crema.Result run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Crema.Result(p.exitValue(), new String(out), new String(err));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void theDebInstallsWorksAndRemovesCleanly() throws Exception {
        Path stage = Crema.BINARY.toAbsolutePath().getParent().getParent();
        String deb = sh("scripts/package " + stage + " " + tmp.resolve("out")).strip();
        assertTrue(deb.matches(".*/crema_[0-9.]+_amd64\\.deb"), deb);
        String depends = sh("dpkg-deb -f " + deb + " Depends");
        assertTrue(depends.contains("libc6") && depends.contains("libseccomp2"), depends);

        // an empty dpkg database under a private root
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");
        Files.writeString(root.resolve("var/lib/dpkg/available"), "");
        String dpkg = "dpkg --root=" + root + " --force-depends --force-script-chrootless --log=/dev/null ";
        sh(dpkg + "-i " + deb);

        Path crema = root.resolve("usr/bin/crema");
        assertTrue(sh(crema + " --version").startsWith("crema version "));
        assertTrue(sh("MANWIDTH=120 LC_ALL=C man -l " + root.resolve("usr/share/man/man8/crema-exec.8.gz"))
                .contains("--process value, -p value"));
        assertEquals("kill\n", sh("bash --norc -c 'source " + root.resolve("usr/share/bash-completion/completions/crema")
                + "; COMP_WORDS=(crema k); COMP_CWORD=1; _crema; echo \"${COMPREPLY[*]}\"'"));
        assertTrue(Files.readString(root.resolve("etc/containers/containers.conf.d/crema.conf"))
                .contains("crema = [\"/usr/bin/crema\"]"));
        // the installed crema runs a container with its own crema-init from /usr/lib/crema
        bundle.shell("echo from the package").save();
        String id = newId();
        Crema.Result r = run(List.of(crema.toString(), "--root", this.crema.root.toString(), "run", "--bundle",
                bundle.dir.toString(), id));
        assertEquals(0, r.exit(), r.err());
        assertEquals("from the package\n", r.out());

        sh(dpkg + "-r crema");
        List<String> left = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            all.filter(p -> !p.startsWith(root.resolve("var/lib/dpkg")) && Files.isRegularFile(p))
                    .forEach(p -> left.add(p.toString()));
        }
        assertEquals(List.of(), left);
    }

    /**
     * scripts/test-package: debootstrap a fresh bookworm root, apt-get install the .deb there, crema --version,
     * man crema-run, a busybox run, apt-get remove, nothing left. Needs debootstrap and the Debian mirror.
     */
    @Test
    void theDebInAFreshDebianRoot() {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/debootstrap")), "debootstrap is not installed (scripts/deps)");
        assumeTrue(run(List.of("getent", "hosts", "deb.debian.org")).exit() == 0, "no Debian mirror reachable");
        Path stage = Crema.BINARY.toAbsolutePath().getParent().getParent();
        String deb = sh("scripts/package " + stage + " " + tmp.resolve("out")).strip();
        Crema.Result r = run(List.of("scripts/test-package", deb));
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("ok: apt-get remove crema leaves nothing of it"), r.out());
    }
}

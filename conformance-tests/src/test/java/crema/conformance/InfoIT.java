package crema.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --version, features, spec; and no host fd reaching the container, with --preserve-fds. */
class InfoIT extends ConformanceBase {

    @Test
    void versionNamesTheSpec() {
        String out = crema.run("--version").ok().out();
        assertTrue(out.startsWith("crema version "), out);
        assertTrue(out.contains("\nspec: 1.3.0\n"), out);
    }

    @Test
    @SuppressWarnings("unchecked")
    void featuresIsJsonOnStdoutOnly() {
        Crema.Result r = crema.run("features").ok();
        assertEquals("", r.err());
        Map<String, Object> f = (Map<String, Object>) Json.parse(r.out());
        assertEquals("1.0.0", f.get("ociVersionMin"));
        assertEquals("1.3.0", f.get("ociVersionMax"));
        Map<String, Object> linux = (Map<String, Object>) f.get("linux");
        assertTrue(((List<Object>) linux.get("namespaces")).containsAll(List.of("pid", "mount", "network")));
        assertTrue(((List<Object>) f.get("mountOptions")).containsAll(List.of("rbind", "rro", "idmap", "tmpcopyup", "nosymfollow")));
        assertTrue(((List<Object>) linux.get("namespaces")).containsAll(List.of("user", "time", "cgroup")));
        assertEquals(List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"), f.get("hooks"));
        Map<String, Object> seccomp = (Map<String, Object>) linux.get("seccomp");
        assertEquals(true, seccomp.get("enabled"));
        assertTrue(((List<Object>) seccomp.get("actions")).contains("SCMP_ACT_NOTIFY"));
        assertTrue(((List<Object>) seccomp.get("operators")).contains("SCMP_CMP_MASKED_EQ"));
        assertTrue(((List<Object>) seccomp.get("supportedFlags")).contains("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
        assertEquals(Map.of("enabled", true), ((Map<String, Object>) linux.get("mountExtensions")).get("idmap"));
        // What this host lacks is reported as not there.
        assertEquals(Map.of("enabled", false), linux.get("apparmor"));
    }

    @Test
    void specRefusesToOverwrite() throws Exception {
        assertTrue(Files.exists(bundle.dir.resolve("config.json")));
        Crema.Result r = crema.run("spec", "--bundle", bundle.dir.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("exists"), r.err());
    }

    @Test
    void onlyStdioReachesTheContainer() {
        // Two commands, so sh stays pid 1 rather than exec'ing ls.
        bundle.shell("ls /proc/1/fd; true");
        assertEquals("0\n1\n2\n", runOk());
    }

    @Test
    void preservedFdsReachTheContainer() throws Exception {
        Files.writeString(tmp.resolve("passed"), "through fd 3\n");
        bundle.shell("ls /proc/1/fd; cat <&3; true").save();
        Crema.Result r = crema.shell("exec 3<" + tmp.resolve("passed") + "; $CREMA run --preserve-fds 1 --bundle "
                + bundle.dir + " " + newId()).ok();
        assertEquals("0\n1\n2\n3\nthrough fd 3\n", r.out());
    }

    @Test
    void aPreservedFdTheCallerDidNotPassIsRefused() {
        bundle.save();
        String id = newId();
        Crema.Result r = crema.run("run", "--preserve-fds", "2", "--bundle", bundle.dir.toString(), id);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--preserve-fds: fd 3 was not passed to crema"), r.err());
    }
}

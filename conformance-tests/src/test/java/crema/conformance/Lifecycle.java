package crema.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Map;

/** Helpers to read `crema state`. */
final class Lifecycle {
    private Lifecycle() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> state(Crema crema, String id) {
        return (Map<String, Object>) Json.parse(crema.run("state", id).ok().out());
    }

    static String status(Crema crema, String id) {
        return (String) state(crema, id).get("status");
    }

    static int pid(Crema crema, String id) {
        return ((Number) state(crema, id).get("pid")).intValue();
    }

    /** Running and not a zombie (this host's pid 1 may not reap the orphans it inherits). */
    static boolean alive(int pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Integer.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static void awaitStatus(Crema crema, String id, String want) throws InterruptedException {
        String last = null;
        for (int i = 0; i < 200; i++) {
            last = status(crema, id);
            if (last.equals(want)) return;
            Thread.sleep(25);
        }
        fail("container " + id + " stayed " + last + ", expected " + want);
    }
}

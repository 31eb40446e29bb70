package crema.lifecycle;

import crema.sys.Sys;

/**
 * Fault injection for the crash-safety tests: when _CREMA_TEST_CRASH_AT names
 * this point (e.g. "create:cgroups"), crema SIGKILLs itself there, as a power
 * cut or an OOM kill would. Unset, it costs one environment lookup.
 */
final class CrashPoint {
    private static final String AT = System.getenv("_CREMA_TEST_CRASH_AT");

    private CrashPoint() {}

    static void at(String point) {
        if (AT != null && AT.equals(point)) Sys.kill((int) ProcessHandle.current().pid(), 9);
    }
}

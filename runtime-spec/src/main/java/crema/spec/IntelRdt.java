package crema.spec;

import java.util.List;

/** {@code linux.intelRdt}: resctrl class of service, schemata and monitoring. */
public record IntelRdt(
        String closID,
        String l3CacheSchema,
        String memBwSchema,
        List<String> schemata,
        Boolean enableMonitoring) {
}

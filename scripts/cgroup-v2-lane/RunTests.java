import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The test runner of the qemu lanes' guests (no Maven there): runs the
 * named classes, prints each test as it ends, the failures, and one line
 * "CGROUP-V2-LANE: tests=N passed=N failed=N skipped=N " for the host
 * (-Dlane.label=SYSTEMD-LANE for the systemd lane).
 */
public final class RunTests {
    public static void main(String[] args) {
        // Two classes at a time (each JVM start is mostly one thread), methods of a class in order.
        var request = LauncherDiscoveryRequestBuilder.request()
                .selectors(Arrays.stream(args).map(a -> a.contains("#") ? DiscoverySelectors.selectMethod(a)
                        : DiscoverySelectors.selectClass(a)).toList())
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "same_thread")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "2")
                .build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener progress = new TestExecutionListener() {
            private final Map<String, Long> started = new ConcurrentHashMap<>();

            @Override
            public void executionStarted(TestIdentifier id) {
                started.put(id.getUniqueId(), System.nanoTime());
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) return;
                long seconds = (System.nanoTime() - started.get(id.getUniqueId())) / 1_000_000_000L;
                System.out.println("  " + result.getStatus() + " " + id.getLegacyReportingName() + " (" + seconds + " s)");
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("  SKIPPED " + id.getLegacyReportingName() + ": " + reason);
            }
        };
        LauncherFactory.create().execute(request, summary, progress);
        TestExecutionSummary s = summary.getSummary();
        s.printFailuresTo(new PrintWriter(System.out, true), 30);
        long failed = s.getTotalFailureCount();
        System.out.println(System.getProperty("lane.label", "CGROUP-V2-LANE") + ": tests=" + s.getTestsFoundCount() + " passed=" + s.getTestsSucceededCount()
                + " failed=" + failed + " skipped=" + (s.getTestsSkippedCount() + s.getTestsAbortedCount()) + " ");
        System.exit(failed == 0 && s.getTestsFoundCount() > 0 ? 0 : 1);
    }
}

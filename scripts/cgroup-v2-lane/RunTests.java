import java.io.PrintWriter;
import java.util.Arrays;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The test runner of the cgroup v2 lane's guest (no Maven there): runs the
 * named classes, prints each test as it ends, the failures, and one line
 * "CGROUP-V2-LANE: tests=N passed=N failed=N skipped=N " for the host.
 */
public final class RunTests {
    public static void main(String[] args) {
        var request = LauncherDiscoveryRequestBuilder.request()
                .selectors(Arrays.stream(args).map(DiscoverySelectors::selectClass).toList()).build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener progress = new TestExecutionListener() {
            private long started;

            @Override
            public void executionStarted(TestIdentifier id) {
                started = System.nanoTime();
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) return;
                long seconds = (System.nanoTime() - started) / 1_000_000_000L;
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
        System.out.println("CGROUP-V2-LANE: tests=" + s.getTestsFoundCount() + " passed=" + s.getTestsSucceededCount()
                + " failed=" + failed + " skipped=" + (s.getTestsSkippedCount() + s.getTestsAbortedCount()) + " ");
        System.exit(failed == 0 && s.getTestsFoundCount() > 0 ? 0 : 1);
    }
}

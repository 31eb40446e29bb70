package crema.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import crema.cgroups.CgroupManager;
import crema.cgroups.CgroupStats;
import crema.cgroups.StatsJson;
import crema.lifecycle.Events;
import crema.state.ContainerException;
import crema.state.StateStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * `events [--stats] [--interval 5s] <id>`: one JSON event per line, runc's
 * format. --stats prints the statistics once; otherwise they stream every
 * interval, with an "oom" event whenever the container runs out of memory,
 * until the container stops.
 */
final class EventsCommand {
    private static final JsonFactory JSON = new JsonFactory();

    int run(List<String> argv, Globals g) {
        Args a = Args.parse(argv, Commands.EVENTS);
        String id = a.id("events", 1, 1);
        Duration interval = GoDuration.parse(a.get("interval"), "interval");
        if (interval.isZero() || interval.isNegative()) throw new UsageException("duration interval must be greater than 0");
        Events events = new Events(new StateStore(g.root()), CgroupManager.forHost());
        if (a.has("stats")) {
            print(g, "stats", id, events.stats(id));
            return 0;
        }
        try {
            events.stream(id, interval, new Events.Sink() {
                @Override
                public void stats(CgroupStats stats) {
                    print(g, "stats", id, stats);
                }

                @Override
                public void oom() {
                    print(g, "oom", id, null);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("events: interrupted");
        }
        return 0;
    }

    /** One compact line per event, flushed at once: a reader follows the stream live. */
    private static void print(Globals g, String type, String id, CgroupStats stats) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator j = JSON.createGenerator(bytes)) {
            StatsJson.event(j, type, id, stats);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        g.out().println(bytes.toString(StandardCharsets.UTF_8));
        g.out().flush();
    }
}

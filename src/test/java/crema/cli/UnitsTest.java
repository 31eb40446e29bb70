package crema.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The value syntaxes runc's cgroup commands take: Go durations, memory sizes, ps's trailing arguments. */
class UnitsTest {

    @Test
    void goDurations() {
        assertEquals(Duration.ofSeconds(5), GoDuration.parse("5s", "interval"));
        assertEquals(Duration.ofMillis(100), GoDuration.parse("100ms", "interval"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1h30m", "interval"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s", "interval"));
        assertEquals(Duration.ofNanos(2000), GoDuration.parse("2µs", "interval"));
        assertEquals("invalid value \"5\" for flag -interval: time: invalid duration \"5\"",
                assertThrows(UsageException.class, () -> GoDuration.parse("5", "interval")).getMessage());
        assertThrows(UsageException.class, () -> GoDuration.parse("5sx", "interval"));
    }

    @Test
    void memorySizes() {
        assertEquals(-1, ByteSizes.parse("-1", "memory"));
        assertEquals(1024, ByteSizes.parse("1024", "memory"));
        assertEquals(64L << 20, ByteSizes.parse("64m", "memory"));
        assertEquals(64L << 20, ByteSizes.parse("64MiB", "memory"));
        assertEquals(3L << 29, ByteSizes.parse("1.5g", "memory"));
        assertEquals("invalid value for memory: invalid size: 'lots'",
                assertThrows(UsageException.class, () -> ByteSizes.parse("lots", "memory")).getMessage());
    }

    @Test
    void psArgumentsAfterTheIdAreNotFlags() {
        Args a = Args.parseLeading(List.of("--format", "table", "c1", "-o", "pid,comm"), List.of(Args.Flag.value("format", "f")));
        assertEquals("table", a.get("format"));
        assertEquals(List.of("c1", "-o", "pid,comm"), a.positionals());
        assertEquals(List.of("c1", "-ef"), Args.parseLeading(List.of("-f=json", "--", "c1", "-ef"),
                List.of(Args.Flag.value("format", "f"))).positionals());
    }
}

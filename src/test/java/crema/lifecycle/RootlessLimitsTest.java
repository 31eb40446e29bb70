package crema.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RootlessLimitsTest {

    @Test
    void hardLimitsAreReadFromTheirColumn() {
        String limits = """
                Limit                     Soft Limit           Hard Limit           Units     \s
                Max cpu time              unlimited            unlimited            seconds   \s
                Max file size             100                  2048                 bytes     \s
                """;
        assertEquals(List.of(-1L, 2048L), RootlessLimits.parseHardLimits(limits));
    }
}

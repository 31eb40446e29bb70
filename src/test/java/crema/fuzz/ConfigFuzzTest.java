package crema.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** config.json through the parser and the spec → plan conversion (Jazzer; bounded in CI by maxDuration). */
class ConfigFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void configJson(byte[] data) {
        FuzzTarget.config(data);
    }
}

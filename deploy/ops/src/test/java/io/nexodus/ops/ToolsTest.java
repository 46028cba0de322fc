package io.nexodus.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing tool is a skip (never a pass) on a developer machine and a failure in CI. */
class ToolsTest {

    @Test
    void aMissingToolSkipsLoudlyOutsideCiAndFailsInCi() {
        Map<String, String> noTools = Map.of("PATH", "/nonexistent");
        assertThrows(TestAbortedException.class, () -> Tools.require("kubectl", "this check", noTools));
        assertThrows(AssertionFailedError.class,
                () -> Tools.require("kubectl", "this check", Map.of("PATH", "/nonexistent", "CI", "true")));
    }
}

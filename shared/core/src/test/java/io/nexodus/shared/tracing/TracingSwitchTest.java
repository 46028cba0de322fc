package io.nexodus.shared.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tracing is on exactly when an OTLP endpoint is configured, unless someone says otherwise explicitly. */
class TracingSwitchTest {

    /** A configuration as the application sees it: the extension's default, then {@code given} as the environment. */
    private static SmallRyeConfig config(Map<String, String> given) {
        return new SmallRyeConfigBuilder()
                .withInterceptors(new TracingSwitch())
                .withDefaultValue(TracingSwitch.SDK_DISABLED, "false") // the extension's own default: enabled
                .withSources(new PropertiesConfigSource(given, "environment", 300))
                .build();
    }

    private static boolean disabled(Map<String, String> given) {
        return config(given).getValue(TracingSwitch.SDK_DISABLED, Boolean.class);
    }

    @Test
    void offWithoutAnEndpoint() {
        assertEquals(true, disabled(Map.of()));
    }

    @Test
    void onWithAnyEndpointSetting() {
        assertEquals(false, disabled(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")));
        assertEquals(false, disabled(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces")));
        assertEquals(false, disabled(Map.of(TracingSwitch.ENDPOINT, "http://collector:4317")));
        assertEquals(false, disabled(Map.of(TracingSwitch.TRACES_ENDPOINT, "http://collector:4317")));
        assertEquals(true, disabled(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", " ")), "blank is unset");
    }

    @Test
    void theStandardVariableBecomesQuarkussEndpoint() {
        SmallRyeConfig config = config(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"));
        assertEquals("http://collector:4317", config.getValue(TracingSwitch.ENDPOINT, String.class));
        SmallRyeConfig both = config(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317",
                TracingSwitch.ENDPOINT, "http://other:4317"));
        assertEquals("http://other:4317", both.getValue(TracingSwitch.ENDPOINT, String.class), "Quarkus's own name wins");
    }

    @Test
    void anExplicitSettingWins() {
        assertEquals(true, disabled(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317",
                TracingSwitch.SDK_DISABLED, "true")));
        assertEquals(false, disabled(Map.of(TracingSwitch.SDK_DISABLED, "false")));
    }
}

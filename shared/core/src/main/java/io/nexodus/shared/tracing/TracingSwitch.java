package io.nexodus.shared.tracing;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;
import java.util.List;

/**
 * Tracing is on exactly when somewhere to send traces is configured: the OpenTelemetry SDK
 * ({@code quarkus.otel.sdk.disabled}, a run-time property) is disabled unless an OTLP endpoint is set, as
 * {@code quarkus.otel.exporter.otlp[.traces].endpoint} or as the OpenTelemetry standard variables
 * {@code OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT}, which also become Quarkus's endpoint. Disabled, the
 * extension installs no Vert.x, SQL or gRPC tracer and builds no exporter, so a function that scales from
 * zero pays next to nothing for it (docs/operations.md, Traces). An explicit {@code quarkus.otel.sdk.disabled}
 * (application.properties, {@code QUARKUS_OTEL_SDK_DISABLED}) still wins either way.
 */
@Priority(Priorities.APPLICATION)
public class TracingSwitch implements ConfigSourceInterceptor {

    static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    static final String ENDPOINT = "quarkus.otel.exporter.otlp.endpoint";
    static final String TRACES_ENDPOINT = "quarkus.otel.exporter.otlp.traces.endpoint";

    /** Each Quarkus endpoint property and the OpenTelemetry variable that may give it instead. */
    private static final List<String[]> ENDPOINTS = List.of(new String[] {ENDPOINT, "OTEL_EXPORTER_OTLP_ENDPOINT"},
            new String[] {TRACES_ENDPOINT, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"});

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (SDK_DISABLED.equals(name)) {
            if (isSet(value) && !isExtensionDefault(value)) {
                return value;
            }
            boolean endpoint = ENDPOINTS.stream().anyMatch(pair -> endpoint(context, pair) != null);
            return ConfigValue.builder().withName(name).withValue(String.valueOf(!endpoint))
                    .withConfigSourceName("nexodus tracing switch (on when an OTLP endpoint is set)").build();
        }
        for (String[] pair : ENDPOINTS) {
            if (pair[0].equals(name) && (!isSet(value) || isExtensionDefault(value))) {
                ConfigValue standard = context.proceed(pair[1]);
                if (isSet(standard)) {
                    return standard.withName(name);
                }
            }
        }
        return value;
    }

    private static ConfigValue endpoint(ConfigSourceInterceptorContext context, String[] pair) {
        ConfigValue own = context.proceed(pair[0]);
        if (isSet(own) && !isExtensionDefault(own)) {
            return own;
        }
        ConfigValue standard = context.proceed(pair[1]);
        return isSet(standard) ? standard : null;
    }

    private static boolean isSet(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank();
    }

    /**
     * A value that only the extension's own defaults give (its endpoint defaults to localhost:4317, its SDK to
     * enabled): that is nobody's choice. Those defaults live in the lowest-ordinal source.
     */
    private static boolean isExtensionDefault(ConfigValue value) {
        return value.getConfigSourceOrdinal() <= Integer.MIN_VALUE + 100
                || value.getConfigSourceName() != null && value.getConfigSourceName().startsWith("DefaultValuesConfigSource");
    }
}

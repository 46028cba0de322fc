package io.nexodus.ops;

import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The revision-template annotations Knative knows (serving knative-v1.23.0,
 * pkg/apis/autoscaling/register.go and serving's annotation validation), each with a check of its value.
 * An unknown key under a Knative domain is silently ignored by the cluster: here it is an error.
 */
final class KnativeAnnotations {

    private static final Pattern DURATION = Pattern.compile("(\\d+(h|m|s|ms))+");
    private static final Predicate<String> NON_NEGATIVE_INT = v -> v.matches("\\d+");
    private static final Predicate<String> POSITIVE_NUMBER = v -> v.matches("\\d+(\\.\\d+)?") && Double.parseDouble(v) > 0;

    static final Map<String, Predicate<String>> TEMPLATE = Map.ofEntries(
            Map.entry("autoscaling.knative.dev/min-scale", NON_NEGATIVE_INT),
            Map.entry("autoscaling.knative.dev/max-scale", NON_NEGATIVE_INT),
            // "0" needs allow-zero-initial-scale on the cluster (off by default)
            Map.entry("autoscaling.knative.dev/initial-scale", v -> v.matches("[1-9]\\d*")),
            Map.entry("autoscaling.knative.dev/activation-scale", v -> v.matches("[1-9]\\d*")),
            Map.entry("autoscaling.knative.dev/metric", v -> v.matches("concurrency|rps|cpu|memory")),
            Map.entry("autoscaling.knative.dev/class", v -> v.matches("kpa\\.autoscaling\\.knative\\.dev|hpa\\.autoscaling\\.knative\\.dev")),
            Map.entry("autoscaling.knative.dev/target", POSITIVE_NUMBER),
            Map.entry("autoscaling.knative.dev/target-utilization-percentage", v -> POSITIVE_NUMBER.test(v) && Double.parseDouble(v) <= 100),
            Map.entry("autoscaling.knative.dev/window", v -> DURATION.matcher(v).matches() && between(v, 6, 3600)),
            Map.entry("autoscaling.knative.dev/panic-window-percentage", v -> POSITIVE_NUMBER.test(v) && Double.parseDouble(v) <= 100),
            Map.entry("autoscaling.knative.dev/panic-threshold-percentage", v -> POSITIVE_NUMBER.test(v) && Double.parseDouble(v) >= 110),
            Map.entry("autoscaling.knative.dev/scale-down-delay", v -> DURATION.matcher(v).matches() && between(v, 0, 3600)),
            Map.entry("autoscaling.knative.dev/scale-to-zero-pod-retention-period", v -> DURATION.matcher(v).matches() && between(v, 0, 3600)),
            Map.entry("autoscaling.knative.dev/target-burst-capacity", v -> v.equals("-1") || v.matches("\\d+(\\.\\d+)?")),
            Map.entry("serving.knative.dev/progress-deadline", v -> DURATION.matcher(v).matches()));

    /** On any object's metadata (not a revision template): the few keys Knative reads there. */
    static final Map<String, Predicate<String>> METADATA = Map.of(
            "eventing.knative.dev/broker.class", v -> v.matches("MTChannelBasedBroker|Kafka|KafkaNamespaced"),
            "serving.knative.dev/rollout-duration", v -> DURATION.matcher(v).matches(),
            "networking.knative.dev/disable-auto-tls", v -> v.matches("true|false"),
            "sources.knative.dev/oidc-service-account-name", v -> !v.isBlank());

    private KnativeAnnotations() {
    }

    static boolean isKnativeKey(String key) {
        return key.contains("knative.dev/");
    }

    private static boolean between(String goDuration, long minSeconds, long maxSeconds) {
        long seconds = 0;
        var m = Pattern.compile("(\\d+)(h|ms|m|s)").matcher(goDuration);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            seconds += switch (m.group(2)) {
                case "h" -> n * 3600;
                case "m" -> n * 60;
                case "s" -> n;
                default -> 0;
            };
        }
        return seconds >= minSeconds && seconds <= maxSeconds;
    }
}

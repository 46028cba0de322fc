package io.nexodus.ops;

import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the Knative Services of a namespace and their latest ready revisions through the fabric8 Knative client. */
public final class StatusReader {

    static final String MIN_SCALE = "autoscaling.knative.dev/min-scale";
    static final String MAX_SCALE = "autoscaling.knative.dev/max-scale";

    private final KnativeClient knative;
    private final String namespace;

    public StatusReader(KubernetesClient client, String namespace) {
        this.knative = client.adapt(KnativeClient.class);
        this.namespace = namespace;
    }

    public List<ServiceStatus> all() {
        return knative.services().inNamespace(namespace).list().getItems().stream()
                .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
                .map(this::of).toList();
    }

    ServiceStatus of(Service service) {
        var status = service.getStatus();
        Optional<Condition> ready = status == null || status.getConditions() == null ? Optional.empty()
                : status.getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
        boolean isReady = ready.map(c -> "True".equals(c.getStatus())).orElse(false);
        String reason = isReady ? null : ready.map(c -> join(c.getReason(), c.getMessage()))
                .orElse("no Ready condition yet (not reconciled: is the Knative Serving controller running?)");
        String latestReady = status == null ? null : status.getLatestReadyRevisionName();
        Integer actual = null;
        Integer desired = null;
        if (latestReady != null) {
            Revision revision = knative.revisions().inNamespace(namespace).withName(latestReady).get();
            if (revision != null && revision.getStatus() != null) {
                actual = revision.getStatus().getActualReplicas();
                desired = revision.getStatus().getDesiredReplicas();
            }
        }
        List<ServiceStatus.Traffic> traffic = status == null || status.getTraffic() == null ? List.of()
                : status.getTraffic().stream().map(t -> new ServiceStatus.Traffic(t.getRevisionName(),
                        t.getPercent() == null ? 0 : t.getPercent(), Boolean.TRUE.equals(t.getLatestRevision()))).toList();
        Map<String, String> annotations = service.getSpec() == null || service.getSpec().getTemplate() == null
                || service.getSpec().getTemplate().getMetadata() == null ? Map.of()
                : Optional.ofNullable(service.getSpec().getTemplate().getMetadata().getAnnotations()).orElse(Map.of());
        return new ServiceStatus(service.getMetadata().getName(), isReady, latestReady,
                status == null ? null : status.getLatestCreatedRevisionName(), traffic, actual, desired,
                intOr(annotations.get(MIN_SCALE), 0), intOr(annotations.get(MAX_SCALE), 0),
                status == null ? null : status.getUrl(), reason);
    }

    private static int intOr(String value, int fallback) {
        try {
            return value == null ? fallback : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String join(String reason, String message) {
        if (reason == null && message == null) {
            return "not ready";
        }
        return reason == null ? message : message == null ? reason : reason + ": " + message;
    }
}

package io.nexodus.ops;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Generates knative/eventing/triggers.yaml from the code's @CloudEventMappings: one Trigger per
 * inbound type, on the Broker `default`, to the function that maps it. EventingWiringTest compares the
 * committed file with this output; `-Dnexodus.regenerate=true` rewrites it.
 */
final class TriggersFile {

    static final String PATH = "knative/eventing/triggers.yaml";

    /** The one type a PingSource can send (fixed by Knative): it reaches gc directly, not via the Broker. */
    static final String PING_TYPE = "dev.knative.sources.ping";

    static final Set<String> NOT_VIA_BROKER = Set.of(PING_TYPE);

    private TriggersFile() {
    }

    static String triggerName(String type) {
        return type.replaceFirst("^io\\.nexodus\\.", "").replace('.', '-').replace('_', '-');
    }

    static String generate(List<CloudEventMappings.Mapping> mappings) {
        StringBuilder out = new StringBuilder("""
                # GENERATED from the @CloudEventMapping annotations in functions/*/src/main/java by
                # deploy/ops/src/test/java/io/nexodus/ops/TriggersFile.java: do not edit. EventingWiringTest fails
                # when this file and the code differ; regenerate with
                #   mvn -pl deploy/ops test -Dtest=EventingWiringTest -Dnexodus.regenerate=true
                # One Trigger per inbound type (exact match on `type`), to the function that maps it. Replies
                # (each mapping's responseType) go back into the Broker and no Trigger matches one: no loops.
                # Delivery (retries, timeout) is the Broker's (broker.yaml). gc's type, dev.knative.sources.ping,
                # is not here: its PingSource sends straight to gc (gc-schedule.yaml).
                """);
        mappings.stream().filter(m -> !NOT_VIA_BROKER.contains(m.trigger()))
                .sorted(Comparator.comparing(CloudEventMappings.Mapping::function).thenComparing(CloudEventMappings.Mapping::trigger))
                .forEach(m -> out.append("---\n")
                        .append("apiVersion: eventing.knative.dev/v1\n")
                        .append("kind: Trigger\n")
                        .append("metadata:\n")
                        .append("  name: ").append(triggerName(m.trigger())).append('\n')
                        .append("  labels:\n")
                        .append("    app.kubernetes.io/name: ").append(m.function()).append('\n')
                        .append("spec:\n")
                        .append("  broker: default\n")
                        .append("  filter:\n")
                        .append("    attributes:\n")
                        .append("      type: ").append(m.trigger()).append('\n')
                        .append("  subscriber:\n")
                        .append("    ref:\n")
                        .append("      apiVersion: serving.knative.dev/v1\n")
                        .append("      kind: Service\n")
                        .append("      name: ").append(m.function()).append('\n'));
        return out.toString();
    }
}

package io.nexodus.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The eventing wiring against the code: a Trigger per inbound CloudEvent type to the function that maps
 * it, no Trigger matching a reply (no loops), the Broker's delivery well-formed, gc started by its
 * PingSource with the same token gc is given, and the SinkBinding on exactly the function Services.
 */
class EventingWiringTest {

    private static final String KIND = "deploy/overlays/kind";

    @Test
    void theTriggersFileIsGeneratedFromTheCode() throws Exception {
        assertEquals(CloudEventMappings.annotated(), CloudEventMappings.written(),
                "every @CloudEventMapping( in the sources must be parsed");
        List<CloudEventMappings.Mapping> mappings = CloudEventMappings.all();
        assertTrue(mappings.size() >= 30, "found " + mappings.size() + " mappings");
        String generated = TriggersFile.generate(mappings);
        if (Boolean.getBoolean("nexodus.regenerate")) {
            Files.writeString(Repo.path(TriggersFile.PATH), generated);
        }
        assertEquals(generated, Repo.read(TriggersFile.PATH), TriggersFile.PATH
                + " differs from the code's @CloudEventMappings: regenerate it (see its header)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production"})
    void everyInboundTypeReachesItsFunctionAndNoReplyLoopsBack(String overlay) {
        Rendered render = Rendered.of(overlay);
        Map<String, String> expected = new TreeMap<>();
        CloudEventMappings.all().stream().filter(m -> !TriggersFile.NOT_VIA_BROKER.contains(m.trigger()))
                .forEach(m -> assertEquals(null, expected.put(m.trigger(), m.function()), m.trigger() + " mapped twice"));
        Map<String, String> routed = new TreeMap<>();
        Set<String> brokers = render.ofKind("Broker").map(Rendered::name).collect(Collectors.toSet());
        Set<String> services = render.ksvcs().map(Rendered::name).collect(Collectors.toSet());
        List<String> problems = new ArrayList<>();
        render.ofKind("Trigger").forEach(t -> {
            String name = Rendered.name(t);
            JsonNode spec = t.path("spec");
            Set<String> keys = new TreeSet<>();
            spec.fieldNames().forEachRemaining(keys::add);
            // the CRD keeps spec preserve-unknown: a typo would pass the schema, so the keys are checked here
            if (!Set.of("broker", "filter", "subscriber").containsAll(keys)) {
                problems.add(name + ": spec keys " + keys + " (only broker, filter, subscriber; delivery is the Broker's)");
            }
            JsonNode attributes = spec.at("/filter/attributes");
            if (attributes.size() != 1 || !attributes.has("type")) {
                problems.add(name + ": must filter on exactly the type, got " + attributes);
            }
            if (!brokers.contains(spec.path("broker").asText())) {
                problems.add(name + ": no Broker " + spec.path("broker").asText());
            }
            JsonNode ref = spec.at("/subscriber/ref");
            if (!"serving.knative.dev/v1".equals(ref.path("apiVersion").asText()) || !"Service".equals(ref.path("kind").asText())
                    || !services.contains(ref.path("name").asText())) {
                problems.add(name + ": subscriber is not a Knative Service of the render: " + ref);
            }
            if (routed.put(attributes.path("type").asText(), ref.path("name").asText()) != null) {
                problems.add(name + ": a second Trigger for " + attributes.path("type").asText());
            }
        });
        assertEquals(List.of(), problems);
        assertEquals(expected, routed, "inbound types (code) → function, against Triggers (render)");

        Set<String> replies = new HashSet<>(CloudEventMappings.defaultReplyTypes());
        CloudEventMappings.all().stream().map(CloudEventMappings.Mapping::responseType).filter(r -> r != null).forEach(replies::add);
        Set<String> loops = new TreeSet<>(routed.keySet());
        loops.retainAll(replies);
        assertEquals(Set.of(), loops, "Triggers matching a reply type: each reply would be delivered again (a loop)");
        assertFalse(routed.containsKey(TriggersFile.PING_TYPE), "ping events never go through the Broker");
    }

    @Test
    void theBrokerDeliveryIsWellFormed() {
        JsonNode delivery = Rendered.of(KIND).find("Broker", "default").orElseThrow().at("/spec/delivery");
        Set<String> keys = new TreeSet<>();
        delivery.fieldNames().forEachRemaining(keys::add);
        assertTrue(Set.of("retry", "backoffPolicy", "backoffDelay", "timeout", "deadLetterSink").containsAll(keys), keys.toString());
        assertTrue(Set.of("exponential", "linear").contains(delivery.path("backoffPolicy").asText()));
        assertTrue(delivery.path("retry").isInt() && delivery.path("retry").asInt() > 0);
        Duration timeout = Duration.parse(delivery.path("timeout").asText());
        Duration.parse(delivery.path("backoffDelay").asText());
        // a cold start (up to ~2.5 s measured, docs/benchmarks.md) plus the work must fit
        assertTrue(timeout.toSeconds() >= 10, "delivery timeout " + timeout);
    }

    @Test
    void gcIsStartedByItsPingSource() {
        String gcType = CloudEventMappings.all().stream().filter(m -> m.function().equals("gc")).map(CloudEventMappings.Mapping::trigger)
                .findFirst().orElseThrow(() -> new AssertionError("gc maps no CloudEvent"));
        assertEquals(TriggersFile.PING_TYPE, gcType, "gc must map the PingSource's fixed type (it can send no other)");
        for (String overlay : Rendered.OVERLAYS) {
            List<JsonNode> pings = Rendered.of(overlay).ofKind("PingSource").toList();
            assertEquals(1, pings.size(), overlay);
            JsonNode ping = pings.get(0);
            JsonNode sink = ping.at("/spec/sink/ref");
            assertEquals("serving.knative.dev/v1", sink.path("apiVersion").asText());
            assertEquals("Service", sink.path("kind").asText());
            assertEquals("gc", sink.path("name").asText(), "straight to gc, not through the Broker");
            String[] cron = ping.at("/spec/schedule").asText().trim().split("\\s+");
            assertEquals(5, cron.length, "a 5-field cron schedule (no @every): " + ping.at("/spec/schedule"));
            Pattern field = Pattern.compile("(\\*|\\d+(-\\d+)?)(/\\d+)?(,(\\*|\\d+(-\\d+)?)(/\\d+)?)*");
            for (String f : cron) {
                assertTrue(field.matcher(f).matches(), "cron field " + f);
            }
            // its spec is readable with the namespace's view role: no credential in it (the tick needs none)
            assertTrue(ping.at("/spec/ceOverrides").isMissingNode(), "the PingSource carries no extension: " + ping.at("/spec/ceOverrides"));
        }
    }

    @Test
    void gcHoldsItsServiceTokenFromASecretAndThePingSourceNone() {
        for (String overlay : Rendered.OVERLAYS) {
            Rendered render = Rendered.of(overlay);
            JsonNode gc = render.ksvcs().filter(s -> Rendered.name(s).equals("gc")).findFirst().orElseThrow();
            JsonNode tokenRef = null;
            Set<String> env = new TreeSet<>();
            for (JsonNode e : gc.at("/spec/template/spec/containers/0/env")) {
                env.add(e.path("name").asText());
                if (e.path("name").asText().equals("NEXODUS_SERVICE_TOKEN")) {
                    tokenRef = e.at("/valueFrom/secretKeyRef");
                }
            }
            assertTrue(env.containsAll(Set.of("NEXODUS_SERVICE_TOKEN", "NEXODUS_GC_RETENTION", "NEXODUS_GC_IPAM_GRACE")), overlay + " gc env " + env);
            assertTrue(tokenRef != null && !tokenRef.isMissingNode(), overlay + ": NEXODUS_SERVICE_TOKEN comes from a Secret");
            // optional: the schedule's tick needs no token, so gc runs (and sweeps nightly) without the Secret
            assertTrue(tokenRef.path("optional").asBoolean(false), overlay + ": gc's token Secret is optional: " + tokenRef);
            String secretName = tokenRef.path("name").asText();
            String pingSource = render.ofKind("PingSource").findFirst().orElseThrow().toString();
            assertTrue(!pingSource.toLowerCase().contains("authorization") && !pingSource.contains(secretName),
                    overlay + ": the PingSource holds no token: " + pingSource);
            if (overlay.endsWith("kind")) {
                JsonNode secret = render.findCore("Secret", secretName).orElseThrow(() -> new AssertionError(overlay + ": no Secret " + secretName));
                String token = secret.at("/stringData/" + tokenRef.path("key").asText()).asText();
                assertTrue(token.length() >= 32, "the development token is usable (>= 32 characters)");
                assertTrue(!pingSource.contains(token), overlay + ": the PingSource holds no token: " + pingSource);
            } else {
                // production commits no token: the operator creates the Secret only for manual sweeps (deploy/README.md)
                assertTrue(render.findCore("Secret", secretName).isEmpty(), "production renders no gc token: " + secretName);
                assertTrue(EffectiveEnv.PRODUCTION_EXTERNAL_SECRETS.containsKey(secretName), secretName + " is a documented external Secret");
            }
            for (String name : List.of("NEXODUS_GC_RETENTION", "NEXODUS_GC_IPAM_GRACE")) {
                String value = "";
                for (JsonNode e : gc.at("/spec/template/spec/containers/0/env")) {
                    if (e.path("name").asText().equals(name)) {
                        value = e.path("value").asText();
                    }
                }
                Duration d = goDuration(value);
                assertTrue(d.compareTo(name.endsWith("RETENTION") ? Duration.ofHours(1) : Duration.ofMinutes(5)) >= 0,
                        name + "=" + value + " is below gc's floor");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production"})
    void theSinkBindingCoversExactlyTheFunctions(String overlay) {
        Rendered render = Rendered.of(overlay);
        List<JsonNode> bindings = render.ofKind("SinkBinding").toList();
        assertEquals(1, bindings.size());
        JsonNode subject = bindings.get(0).at("/spec/subject");
        assertEquals("serving.knative.dev/v1", subject.path("apiVersion").asText());
        assertEquals("Service", subject.path("kind").asText());
        Map<String, String> match = new TreeMap<>();
        subject.at("/selector/matchLabels").fields().forEachRemaining(e -> match.put(e.getKey(), e.getValue().asText()));
        Set<String> selected = render.ksvcs().filter(s -> match.entrySet().stream()
                .allMatch(e -> e.getValue().equals(s.at("/metadata/labels").path(e.getKey()).asText())))
                .map(Rendered::name).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(FunctionModules.names()), selected, "the SinkBinding selects the function Services");
        JsonNode sink = bindings.get(0).at("/spec/sink/ref");
        assertTrue(render.find(sink.path("kind").asText(), sink.path("name").asText()).isPresent(), "sink " + sink);
        render.ksvcs().forEach(s -> s.at("/spec/template/spec/containers/0/env").forEach(e ->
                assertFalse(e.path("name").asText().startsWith("K_"), Rendered.name(s) + " sets " + e.path("name")
                        + " itself (Knative and the SinkBinding own K_*)")));
    }

    /**
     * Production's EventPolicy (components/event-policy) lets the functions' SinkBinding send to the Broker the
     * SinkBinding sinks to: with sender authentication on, a policy naming another Broker or another binding would
     * refuse every outbound event of the functions.
     */
    @Test
    void productionsEventPolicyAdmitsTheFunctionsSinkBindingToItsBroker() {
        Rendered render = Rendered.of("deploy/overlays/production");
        List<JsonNode> policies = render.ofKind("EventPolicy").toList();
        assertEquals(1, policies.size(), "one EventPolicy");
        JsonNode binding = render.ofKind("SinkBinding").findFirst().orElseThrow();
        JsonNode sink = binding.at("/spec/sink/ref");
        JsonNode to = policies.get(0).at("/spec/to/0/ref");
        assertEquals(List.of(sink.path("apiVersion").asText(), sink.path("kind").asText(), sink.path("name").asText()),
                List.of(to.path("apiVersion").asText(), to.path("kind").asText(), to.path("name").asText()), "to the binding's sink");
        JsonNode from = policies.get(0).at("/spec/from/0/ref");
        assertEquals(List.of(binding.path("apiVersion").asText(), "SinkBinding", Rendered.name(binding)),
                List.of(from.path("apiVersion").asText(), from.path("kind").asText(), from.path("name").asText()), "from the binding");
        assertEquals(0, Rendered.of("deploy/overlays/kind").ofKind("EventPolicy").count(),
                "the developer cluster runs without sender authentication");
    }

    /** Go's time.ParseDuration subset gc reads (e.g. 24h, 10m, 1h30m). */
    static Duration goDuration(String text) {
        var m = Pattern.compile("(\\d+)(h|m|s)").matcher(text);
        Duration d = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                throw new AssertionError("not a Go duration: " + text);
            }
            end = m.end();
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
        }
        if (end != text.length() || text.isEmpty()) {
            throw new AssertionError("not a Go duration: " + text);
        }
        return d;
    }
}

package io.nexodus.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Knative Services as the Serving webhook and autoscaler of Knative Serving knative-v1.23.0 will take them
 * (knative/README.md, "Rules that shape these files"): what the webhook would refuse, annotations Knative knows with
 * values that parse, scale-to-zero by default, the streaming function's timeouts, the IPAM backend's h2c port,
 * visibility.
 */
class KnativeServicesTest {

    private static final Set<Integer> RESERVED_PORTS = Set.of(8012, 8013, 8022, 8112, 9090, 9091, 8008);
    private static final Set<String> RESERVED_ENV = Set.of("PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION");

    /** Functions that keep a pod warm, and why (also in their files): agents hold streams open around the clock. */
    private static final Set<String> ALWAYS_WARM = Set.of("fetch-peers");

    @Test
    void oneServicePerFunctionModule() {
        Set<String> services = Rendered.of("deploy/overlays/kind").functions().map(Rendered::name).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(FunctionModules.names()), services, "knative/functions/*.yaml against functions/pom.xml <modules>");
        Set<String> files = new TreeSet<>();
        for (String f : Repo.path("knative/functions").toFile().list()) {
            files.add(f.replaceFirst("\\.yaml$", ""));
        }
        assertEquals(new TreeSet<>(FunctionModules.names()), files, "one file per function, named after it");
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production"})
    void nothingTheServingWebhookWouldRefuse(String overlay) {
        List<String> problems = new ArrayList<>();
        Rendered.of(overlay).ksvcs().forEach(svc -> {
            String name = Rendered.name(svc);
            svc.at("/metadata/annotations").fieldNames().forEachRemaining(k -> {
                if (k.startsWith("autoscaling.knative.dev/")) {
                    problems.add(name + ": " + k + " on the Service's metadata (belongs on spec.template.metadata)");
                }
            });
            JsonNode template = svc.at("/spec/template");
            if (template.at("/metadata/name").isTextual()) {
                problems.add(name + ": spec.template.metadata.name set (every change would need a new name)");
            }
            template.at("/metadata/annotations").fields().forEachRemaining(e -> {
                var check = KnativeAnnotations.TEMPLATE.get(e.getKey());
                if (check == null && KnativeAnnotations.isKnativeKey(e.getKey())) {
                    problems.add(name + ": unknown Knative annotation " + e.getKey());
                } else if (check != null && !check.test(e.getValue().asText())) {
                    problems.add(name + ": " + e.getKey() + "=" + e.getValue().asText() + " does not parse");
                }
            });
            JsonNode spec = template.path("spec");
            for (String forbidden : List.of("initContainers", "terminationGracePeriodSeconds", "nodeSelector", "securityContext")) {
                if (spec.has(forbidden)) {
                    problems.add(name + ": " + forbidden + " (refused or off by default in config-features)");
                }
            }
            int timeout = spec.path("timeoutSeconds").asInt(300);
            if (timeout > 600) {
                problems.add(name + ": timeoutSeconds " + timeout + " > max-revision-timeout-seconds 600");
            }
            if (spec.has("responseStartTimeoutSeconds") && spec.path("responseStartTimeoutSeconds").asInt() > timeout) {
                problems.add(name + ": responseStartTimeoutSeconds > timeoutSeconds");
            }
            int ports = 0;
            for (JsonNode c : spec.path("containers")) {
                if (c.has("lifecycle")) {
                    problems.add(name + ": container lifecycle (Knative injects its own preStop)");
                }
                for (JsonNode p : c.path("ports")) {
                    ports++;
                    if (!Set.of("", "h2c", "http1").contains(p.path("name").asText())) {
                        problems.add(name + ": port name " + p.path("name").asText());
                    }
                    if (RESERVED_PORTS.contains(p.path("containerPort").asInt())) {
                        problems.add(name + ": reserved port " + p.path("containerPort").asInt());
                    }
                }
                for (JsonNode e : c.path("env")) {
                    if (RESERVED_ENV.contains(e.path("name").asText())) {
                        problems.add(name + ": reserved env " + e.path("name").asText());
                    }
                    if (e.at("/valueFrom/fieldRef").isObject()) {
                        problems.add(name + ": fieldRef (kubernetes.podspec-fieldref is off by default)");
                    }
                }
                JsonNode readiness = c.path("readinessProbe");
                if (readiness.path("periodSeconds").asInt(0) == 0
                        && (readiness.has("timeoutSeconds") || readiness.has("failureThreshold"))) {
                    problems.add(name + ": aggressive readiness probing (periodSeconds 0) with timeoutSeconds/failureThreshold");
                }
                for (String probe : List.of("readinessProbe", "livenessProbe")) {
                    for (String kind : List.of("/tcpSocket/port", "/httpGet/port")) {
                        JsonNode port = c.path(probe).at(kind);
                        if (!port.isMissingNode() && port.asInt() != 8080) {
                            problems.add(name + ": " + probe + " on port " + port.asText() + ", not the container port");
                        }
                    }
                    JsonNode path = c.path(probe).at("/httpGet/path");
                    if (!path.isMissingNode() && !path.asText().startsWith("/q/health/")) {
                        problems.add(name + ": " + probe + " on " + path.asText() + ", not a SmallRye Health endpoint");
                    }
                }
            }
            if (ports > 1) {
                problems.add(name + ": " + ports + " ports (one at most)");
            }
            if (!"cluster-local".equals(svc.at("/metadata/labels/networking.knative.dev~1visibility").asText())) {
                problems.add(name + ": not cluster-local (only the front door is exposed)");
            }
            if (template.at("/metadata/labels/networking.knative.dev~1visibility").isTextual()) {
                problems.add(name + ": visibility label on the template (it belongs on the Service)");
            }
        });
        assertEquals(List.of(), problems, overlay);
    }

    /**
     * kubectl applies in render order: the Broker and the SinkBinding must precede every Knative Service, so
     * that the binding's webhook gives each Service K_SINK as it is created (else every function starts a
     * second revision when the binding patches it in: about 9 GiB of requests at once on one KIND node).
     */
    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production", "deploy/base"})
    void theSinkBindingIsAppliedBeforeAnyKnativeService(String overlay) {
        List<String> order = Rendered.of(overlay).objects.stream()
                .map(o -> o.path("apiVersion").asText() + " " + o.path("kind").asText()).toList();
        int broker = order.indexOf("eventing.knative.dev/v1 Broker");
        int binding = order.indexOf("sources.knative.dev/v1 SinkBinding");
        int firstService = order.indexOf("serving.knative.dev/v1 Service");
        assertTrue(broker >= 0 && binding >= 0 && firstService >= 0, "Broker, SinkBinding, Services in " + order);
        assertTrue(broker < binding && binding < firstService,
                "Broker (" + broker + ") < SinkBinding (" + binding + ") < first Knative Service (" + firstService + ")");
    }

    /** A JVM starting on a crowded node must not be killed by its liveness probe before it could answer. */
    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production"})
    void everyServiceHasAStartupProbeThatOutlastsASlowStart(String overlay) {
        List<String> problems = new ArrayList<>();
        Rendered.of(overlay).ksvcs().forEach(svc -> {
            JsonNode probe = svc.at("/spec/template/spec/containers/0/startupProbe");
            long patience = probe.path("periodSeconds").asLong(10) * probe.path("failureThreshold").asLong(3);
            if (probe.isMissingNode() || patience < 60) {
                problems.add(Rendered.name(svc) + ": startupProbe " + probe + " (" + patience + " s)");
            }
        });
        assertEquals(List.of(), problems);
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production"})
    void everyKnativeKeyOnAnyObjectIsOneKnativeKnows(String overlay) {
        List<String> problems = new ArrayList<>();
        for (JsonNode object : Rendered.of(overlay).objects) {
            object.at("/metadata/annotations").fields().forEachRemaining(e -> {
                var check = KnativeAnnotations.METADATA.get(e.getKey());
                if (KnativeAnnotations.isKnativeKey(e.getKey()) && (check == null || !check.test(e.getValue().asText()))) {
                    problems.add(object.path("kind").asText() + " " + Rendered.name(object) + ": annotation " + e.getKey() + "="
                            + e.getValue().asText());
                }
            });
            object.at("/metadata/labels").fields().forEachRemaining(e -> {
                if (KnativeAnnotations.isKnativeKey(e.getKey()) && !(e.getKey().equals("networking.knative.dev/visibility")
                        && e.getValue().asText().equals("cluster-local"))) {
                    problems.add(object.path("kind").asText() + " " + Rendered.name(object) + ": label " + e.getKey());
                }
            });
        }
        assertEquals(List.of(), problems, overlay);
    }

    @Test
    void scaleToZeroByDefaultAndEveryServiceBounded() {
        List<String> problems = new ArrayList<>();
        Rendered.of("deploy/overlays/kind").ksvcs().forEach(svc -> {
            String name = Rendered.name(svc);
            JsonNode a = svc.at("/spec/template/metadata/annotations");
            int min = a.path("autoscaling.knative.dev/min-scale").asInt(0);
            int max = a.path("autoscaling.knative.dev/max-scale").asInt(0);
            if (max <= 0) {
                problems.add(name + ": no max-scale (unbounded replicas exhaust the database)");
            }
            if (min > max) {
                problems.add(name + ": min-scale > max-scale");
            }
            boolean function = "function".equals(svc.at("/metadata/labels/app.kubernetes.io~1component").asText());
            if (function && min != 0 && !ALWAYS_WARM.contains(name)) {
                problems.add(name + ": min-scale " + min + " (functions scale to zero unless listed with a reason)");
            }
            if (name.equals("ipam") && min < 1) {
                problems.add("ipam may not scale to zero (knative/ipam.yaml says why)");
            }
        });
        assertEquals(List.of(), problems);
    }

    @Test
    void fetchPeersFitsLongLivedWatchStreams() {
        JsonNode svc = Rendered.of("deploy/overlays/kind").find("Service", "fetch-peers").orElseThrow();
        JsonNode spec = svc.at("/spec/template/spec");
        JsonNode annotations = svc.at("/spec/template/metadata/annotations");
        Matcher m = Pattern.compile("nexodus\\.watch\\.max-duration\",\\s*defaultValue\\s*=\\s*\"([^\"]+)\"")
                .matcher(Repo.read("functions/fetch-peers/src/main/java/io/nexodus/fn/fetchpeers/EventsRoute.java"));
        assertTrue(m.find(), "the watch lifetime's default in EventsRoute");
        Duration lifetime = Duration.parse(m.group(1));
        int timeout = spec.path("timeoutSeconds").asInt(300);
        assertTrue(timeout >= lifetime.toSeconds() + 30, "timeoutSeconds " + timeout + " must exceed the stream lifetime "
                + lifetime + " with a margin: Knative would cut streams mid-flight");
        assertEquals(0, spec.path("containerConcurrency").asInt(-1), "streams must not fill hard concurrency slots");
        assertEquals("0", annotations.path("autoscaling.knative.dev/target-burst-capacity").asText(), "activator out of the path");
        assertTrue(spec.path("idleTimeoutSeconds").asInt(0) == 0, "no idle timeout: a quiet stream sends nothing");
        assertTrue(annotations.path("autoscaling.knative.dev/min-scale").asInt() >= 1);
    }

    @Test
    void ipamServesGrpcOnOneH2cPort() {
        JsonNode ports = Rendered.of("deploy/overlays/kind").find("Service", "ipam").orElseThrow()
                .at("/spec/template/spec/containers/0/ports");
        assertEquals(1, ports.size());
        assertEquals("h2c", ports.get(0).path("name").asText(), "without h2c, queue-proxy and Kourier speak HTTP/1.1");
        assertEquals(8080, ports.get(0).path("containerPort").asInt());
        assertTrue(Repo.read("ipam/src/main/resources/application.properties").contains("quarkus.grpc.server.use-separate-server=false"),
                "the IPAM server must serve gRPC on its HTTP port");
        Rendered.of("deploy/overlays/kind").functions().forEach(f -> assertEquals("http1",
                f.at("/spec/template/spec/containers/0/ports/0/name").asText(), Rendered.name(f)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production"})
    void imagesAreTheOnesTheBuildMakes(String overlay) {
        Rendered render = Rendered.of(overlay);
        String version = FunctionModules.projectVersion();
        String registry = overlay.endsWith("kind") ? "kind.local/" : "registry.example.com/";
        List<String> problems = new ArrayList<>();
        render.ksvcs().forEach(svc -> {
            String image = svc.at("/spec/template/spec/containers/0/image").asText();
            String expected = registry + "nexodus/" + Rendered.name(svc) + ":" + version;
            if (!image.equals(expected)) {
                problems.add(Rendered.name(svc) + ": image " + image + ", the build makes " + expected);
            }
        });
        JsonNode job = render.ofKind("Job").findFirst().orElseThrow();
        // a stable name and a TTL: a re-apply of a changed build recreates the finished Job instead of failing
        // on its immutable pod template (a name per version could not tell two builds of one version apart)
        if (!Rendered.name(job).equals("migrate") || job.at("/spec/ttlSecondsAfterFinished").asInt(0) <= 0) {
            problems.add("migration Job " + Rendered.name(job) + ": named migrate, with ttlSecondsAfterFinished");
        }
        // Flyway's advisory lock needs a session: never through a transaction pooler
        job.at("/spec/template/spec/initContainers/0/env").forEach(e -> {
            if (e.path("name").asText().equals("PG_URL")) {
                String key = e.at("/valueFrom/configMapKeyRef/key").asText();
                String url = render.objects.stream().filter(o -> Rendered.name(o).equals("nexodus-config"))
                        .map(o -> o.at("/data/" + key).asText()).findFirst().orElse("");
                if (url.contains("pooler")) {
                    problems.add("migration Job: PG_URL from " + key + " goes through the pooler: " + url);
                }
            }
        });
        job.at("/spec/template/spec/initContainers").forEach(c -> check(c, registry + "nexodus/migrate:" + version, problems));
        job.at("/spec/template/spec/containers").forEach(c -> check(c, registry + "nexodus/migrate:" + version, problems));
        render.objects.forEach(o -> o.at("/spec/template/spec/containers").forEach(c -> {
            String image = c.path("image").asText();
            if (!image.matches(".+:[^/:]+$") && !image.contains("@sha256:") || image.endsWith(":latest")) {
                problems.add(Rendered.name(o) + ": image " + image + " untagged or :latest (pulled Always; fails on KIND)");
            }
        }));
        assertEquals(List.of(), problems, overlay);
    }

    private static void check(JsonNode container, String expected, List<String> problems) {
        if (!container.path("image").asText().equals(expected)) {
            problems.add(container.path("name").asText() + ": image " + container.path("image").asText() + ", expected " + expected);
        }
    }

    @Test
    void theImageBuildNamesWhatTheManifestsUse() {
        // the `images` profile (functions/pom.xml, ipam/pom.xml, deploy/migrate/pom.xml) names images
        // nexodus/<artifactId>:<version>, as the manifests above expect
        for (String pom : List.of("functions/pom.xml", "ipam/pom.xml")) {
            String text = Repo.read(pom);
            assertTrue(text.contains("<quarkus.container-image.group>nexodus</quarkus.container-image.group>"), pom);
            assertTrue(text.contains("<quarkus.container-image.name>${project.artifactId}</quarkus.container-image.name>"), pom);
            assertTrue(text.contains("<quarkus.container-image.tag>${project.version}</quarkus.container-image.tag>"), pom);
        }
        String migrate = Repo.read("deploy/migrate/pom.xml");
        assertTrue(migrate.contains("<artifactId>migrate</artifactId>"));
        assertTrue(migrate.contains("<image>${images.registry}/nexodus/migrate:${project.version}</image>"), "deploy/migrate image name");
        for (String module : FunctionModules.names()) {
            assertTrue(Repo.read("functions/" + module + "/pom.xml").contains("<artifactId>" + module + "</artifactId>"),
                    module + ": artifactId = module = Service name = image name");
        }
    }
}

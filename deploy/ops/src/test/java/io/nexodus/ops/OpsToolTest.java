package io.nexodus.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.pkg.apis.ConditionBuilder;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.RevisionBuilder;
import io.fabric8.knative.serving.v1.RevisionStatusBuilder;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceStatusBuilder;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * nexodus-ops against the fabric8 Kubernetes mock server (CRUD mode) holding the Knative Services of the
 * rendered KIND overlay, with statuses as Knative would report them: most ready, gc scaled to zero,
 * fetch-peers failing its revision.
 */
class OpsToolTest {

    private static final String NS = "nexodus";
    private KubernetesMockServer server;

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void loadTheRenderedServices() throws Exception {
        // CRUD mode: the server keeps what is created and answers get/list/update like an API server
        server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new io.fabric8.mockwebserver.MockWebServer(),
                new HashMap<>(), new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
        server.init();
        List<JsonNode> services = Rendered.of("deploy/overlays/kind").ksvcs().toList();
        assertEquals(13, services.size());
        try (KubernetesClient client = server.createClient()) {
            KnativeClient knative = client.adapt(KnativeClient.class);
            for (JsonNode node : services) {
                Service service = (Service) StrictModel.parse(Rendered.YAML.writeValueAsString(node));
                String name = service.getMetadata().getName();
                boolean failing = name.equals("fetch-peers");
                boolean idle = name.equals("gc") || name.equals("users");
                String revision = name + "-00001";
                service.setStatus(new ServiceStatusBuilder()
                        .withConditions(new ConditionBuilder().withType("Ready").withStatus(failing ? "False" : "True")
                                .withReason(failing ? "RevisionFailed" : null)
                                .withMessage(failing ? "Revision \"fetch-peers-00001\" failed with message: Back-off pulling image." : null)
                                .build())
                        .withLatestCreatedRevisionName(revision)
                        .withLatestReadyRevisionName(failing ? null : revision)
                        .withUrl("http://" + name + "." + NS + ".svc.cluster.local")
                        .withTraffic(failing ? List.of() : List.of(new TrafficTargetBuilder().withRevisionName(revision)
                                .withPercent(100L).withLatestRevision(true).build()))
                        .build());
                knative.services().inNamespace(NS).resource(service).create();
                Revision rev = new RevisionBuilder().withNewMetadata().withName(revision).withNamespace(NS).endMetadata()
                        .withStatus(new RevisionStatusBuilder().withActualReplicas(idle ? 0 : 1).withDesiredReplicas(idle ? 0 : 1).build())
                        .build();
                knative.revisions().inNamespace(NS).resource(rev).create();
            }
        }
    }

    @AfterEach
    void stop() {
        server.destroy();
    }

    private Run run(String... args) {
        return runWith(() -> server.createClient(), args);
    }

    private static Run runWith(java.util.function.Supplier<KubernetesClient> clients, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Ops.run(clients, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void statusShowsEveryServiceForPeople() {
        Run run = run("status");
        System.out.println(run.out());
        assertEquals(1, run.exit(), "not all ready → exit 1: " + run.err());
        String[] lines = run.out().split("\n");
        assertEquals(14, lines.length, "header + 13 Services");
        assertTrue(lines[0].startsWith("SERVICE"));
        String fetchPeers = line(run.out(), "fetch-peers");
        assertTrue(fetchPeers.contains("False") && fetchPeers.contains("RevisionFailed: Revision \"fetch-peers-00001\" failed"), fetchPeers);
        String gc = line(run.out(), "gc ");
        assertTrue(gc.contains("True") && gc.contains("0/0 (zero)") && gc.contains("gc-00001=100%")
                && gc.contains("http://gc.nexodus.svc.cluster.local") && gc.contains("0..1"), gc);
        assertTrue(line(run.out(), "register-device").contains("1/1") && line(run.out(), "register-device").contains("0..4"));
    }

    private static String line(String table, String start) {
        for (String line : table.split("\n")) {
            if (line.startsWith(start)) {
                return line;
            }
        }
        throw new AssertionError("no line for " + start + " in\n" + table);
    }

    @Test
    void statusAsJsonForScripts() throws Exception {
        Run run = run("status", "-o", "json");
        JsonNode all = new ObjectMapper().readTree(run.out());
        assertEquals(13, all.size());
        Map<String, JsonNode> byName = new HashMap<>();
        all.forEach(s -> byName.put(s.path("name").asText(), s));
        assertEquals(true, byName.get("gc").path("scaledToZero").asBoolean());
        assertEquals("gc-00001", byName.get("gc").path("latestReadyRevision").asText());
        assertEquals(100, byName.get("gc").at("/traffic/0/percent").asInt());
        assertEquals(false, byName.get("fetch-peers").path("ready").asBoolean());
        assertTrue(byName.get("fetch-peers").path("reason").asText().startsWith("RevisionFailed"));
        assertEquals(1, byName.get("ipam").path("actualPods").asInt());
        assertEquals(1, byName.get("ipam").path("minScale").asInt(), "from the rendered template annotations");
    }

    @Test
    void scaleWritesTheTemplateAnnotations() {
        Run run = run("scale", "register-device", "--min", "1", "--max", "6");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("min-scale 0 -> 1, max-scale 4 -> 6"), run.out());
        try (KubernetesClient client = server.createClient()) {
            Map<String, String> annotations = client.adapt(KnativeClient.class).services().inNamespace(NS).withName("register-device")
                    .get().getSpec().getTemplate().getMetadata().getAnnotations();
            assertEquals("1", annotations.get(StatusReader.MIN_SCALE));
            assertEquals("6", annotations.get(StatusReader.MAX_SCALE));
            assertEquals("20s", annotations.get("autoscaling.knative.dev/window"), "the other annotations stay");
        }
        assertEquals(2, run("scale", "register-device", "--min", "7").exit(), "min above max is refused");
        assertEquals(1, run("scale", "no-such-function", "--min", "1").exit());
        assertEquals(2, run("scale", "register-device").exit(), "nothing to do: a usage error");
    }

    @Test
    void waitReportsProgressAndEndsWhenAllAreReady() throws Exception {
        Run timedOut = run("wait", "--timeout", "1s", "--interval", "PT0.2S");
        assertEquals(1, timedOut.exit());
        assertTrue(timedOut.out().startsWith("12/13 ready; waiting for fetch-peers (RevisionFailed"), timedOut.out());
        assertTrue(timedOut.err().contains("not ready after PT1S"), timedOut.err());

        Thread fixer = new Thread(() -> {
            try {
                Thread.sleep(600);
                try (KubernetesClient client = server.createClient()) {
                    var services = client.adapt(KnativeClient.class).services().inNamespace(NS);
                    Service s = services.withName("fetch-peers").get();
                    s.getStatus().setConditions(List.of(new ConditionBuilder().withType("Ready").withStatus("True").build()));
                    s.getStatus().setLatestReadyRevisionName("fetch-peers-00001");
                    services.resource(s).update();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        fixer.start();
        Run ready = run("wait", "--timeout", "30s", "--interval", "PT0.2S");
        fixer.join();
        assertEquals(0, ready.exit(), ready.out() + ready.err());
        assertTrue(ready.out().contains("12/13 ready") && ready.out().trim().endsWith("13/13 ready"), ready.out());
    }

    @Test
    void anUnreachableClusterIsSaidPlainly() {
        Run run = runWith(() -> new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:1").withRequestRetryBackoffLimit(0).withConnectionTimeout(2000).build()).build(), "status");
        assertEquals(3, run.exit(), run.err());
        assertTrue(run.err().startsWith("error: cannot reach the cluster at http://127.0.0.1:1"), run.err());
    }

    @Test
    void aClusterWithoutKnativeIsSaidPlainly() {
        // expectations mode with none set: every API path answers 404, as for a missing API group
        KubernetesMockServer bare = new KubernetesMockServer(false);
        bare.init();
        try {
            Run run = runWith(() -> bare.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig()), "status");
            assertEquals(4, run.exit(), run.err());
            assertTrue(run.err().contains("Knative Serving is not installed"), run.err());
        } finally {
            bare.destroy();
        }
    }
}

package io.nexodus.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * components/network-policies, evaluated as Kubernetes evaluates NetworkPolicies (a pod selected by any
 * ingress policy admits only what one of those policies' rules admits) against the pods the render makes:
 * each Knative Service's pods (labelled serving.knative.dev/service by Knative), the Deployments', the
 * StatefulSet's and the Job's pod templates, and the pods CloudNativePG makes for a Cluster and a Pooler (with
 * the labels its operator gives them). Callers outside the namespace are the Knative data plane, the Broker's
 * dispatcher, CloudNativePG's operator and a pod of an unrelated namespace. What no render can show, that the
 * cluster's network plugin enforces the rules, is in deploy/README.md's "never run" list.
 */
class NetworkPolicyTest {

    private static final String NS = "nexodus";

    /** A pod: where it runs and its labels. */
    record Pod(String name, String namespace, Map<String, String> labels) {
    }

    private static final Pod KOURIER = new Pod("kourier gateway", "kourier-system", Map.of("app", "3scale-kourier-gateway"));
    private static final Pod ACTIVATOR = new Pod("activator", "knative-serving", Map.of("app", "activator"));
    private static final Pod BROKER_FILTER = new Pod("broker filter", "knative-eventing", Map.of("eventing.knative.dev/brokerRole", "filter"));
    private static final Pod CNPG_OPERATOR = new Pod("cnpg operator", "cnpg-system", Map.of("app.kubernetes.io/name", "cloudnative-pg"));
    private static final Pod STRANGER = new Pod("a pod of another namespace", "default", Map.of("app", "anything"));

    @Test
    void inProductionFunctionsAreReachedOnlyThroughKnativeAndTheDatabaseOnlyByItsClients() {
        Rendered render = Rendered.of("deploy/overlays/production");
        Policies policies = new Policies(render);
        Map<String, Pod> pods = podsOf(render);
        List<Pod> functions = render.ksvcs().map(k -> pods.get(Rendered.name(k))).toList();
        Pod frontDoor = pods.get("front-door");
        Pod migrate = pods.get("migrate");
        Pod instance = pods.get("nexodus-pg");
        Pod pooler = pods.get("nexodus-pg-pooler-rw");
        assertEquals(13, functions.size(), "twelve functions and ipam");
        List<String> wrong = new ArrayList<>();

        for (Pod fn : functions) {
            expect(wrong, policies, KOURIER, fn, 8012, true);
            expect(wrong, policies, ACTIVATOR, fn, 8012, true);
            for (Pod other : List.of(frontDoor, BROKER_FILTER, STRANGER, migrate, instance)) {
                expect(wrong, policies, other, fn, 8012, false);
            }
            for (Pod other : functions) {
                expect(wrong, policies, other, fn, 8012, false); // a function calls another (ipam) through Kourier
            }
            expect(wrong, policies, fn, instance, 5432, true);
            expect(wrong, policies, fn, pooler, 5432, true);
            expect(wrong, policies, fn, instance, 8000, false);
        }
        expect(wrong, policies, migrate, instance, 5432, true);
        expect(wrong, policies, pooler, instance, 5432, true);
        expect(wrong, policies, instance, instance, 5432, true); // replication
        expect(wrong, policies, instance, instance, 8000, true);
        expect(wrong, policies, CNPG_OPERATOR, instance, 8000, true);
        expect(wrong, policies, CNPG_OPERATOR, instance, 5432, true);
        for (Pod outsider : List.of(frontDoor, STRANGER, KOURIER, ACTIVATOR, BROKER_FILTER)) {
            expect(wrong, policies, outsider, instance, 5432, false);
            expect(wrong, policies, outsider, pooler, 5432, false);
        }
        expect(wrong, policies, migrate, pooler, 5432, false); // Flyway goes direct (components/pgbouncer)
        expect(wrong, policies, STRANGER, frontDoor, 8080, true);
        expect(wrong, policies, STRANGER, frontDoor, 8443, true);
        expect(wrong, policies, STRANGER, frontDoor, 9000, false);
        for (Pod pod : pods.values()) {
            assertTrue(policies.isolated(pod), pod.name() + " is not selected by any ingress policy: open to all");
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void withTheBasesPostgresTheSameClientsAndNoOneElse() throws IOException {
        // the base's StatefulSet (used where CloudNativePG is not): the component on top of the base alone
        Path dir = Repo.path("deploy/ops/target/network-policies-on-base");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                namespace: nexodus
                resources: [../../../base]
                components: [../../../components/network-policies]
                """);
        Rendered render = Rendered.of("deploy/ops/target/network-policies-on-base");
        Policies policies = new Policies(render);
        Map<String, Pod> pods = podsOf(render);
        Pod postgres = pods.get("postgres");
        List<String> wrong = new ArrayList<>();
        render.ksvcs().map(k -> pods.get(Rendered.name(k))).forEach(fn -> expect(wrong, policies, fn, postgres, 5432, true));
        expect(wrong, policies, pods.get("migrate"), postgres, 5432, true);
        for (Pod outsider : List.of(pods.get("front-door"), STRANGER, KOURIER, CNPG_OPERATOR)) {
            expect(wrong, policies, outsider, postgres, 5432, false);
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void theEvaluatorItselfAdmitsEverythingWhereNoPolicySelectsAPod() {
        // the kind overlay has no policies: every pod is open, so the evaluator does not deny by itself
        Rendered render = Rendered.of("deploy/overlays/kind");
        Policies policies = new Policies(render);
        Pod postgres = podsOf(render).get("postgres");
        assertTrue(!policies.isolated(postgres) && policies.admits(STRANGER, postgres, 5432));
    }

    private static void expect(List<String> wrong, Policies policies, Pod from, Pod to, int port, boolean admitted) {
        if (policies.admits(from, to, port) != admitted) {
            wrong.add(from.name() + " -> " + to.name() + ":" + port + (admitted ? " refused" : " admitted"));
        }
    }

    /** The pods the render's workloads make, by workload name, with the labels their controllers give them. */
    private static Map<String, Pod> podsOf(Rendered render) {
        Map<String, Pod> pods = new TreeMap<>();
        render.ksvcs().forEach(k -> {
            Map<String, String> labels = labels(k.at("/spec/template/metadata/labels"));
            labels.put("serving.knative.dev/service", Rendered.name(k));
            pods.put(Rendered.name(k), new Pod(Rendered.name(k), NS, labels));
        });
        Stream.of("Deployment", "StatefulSet", "Job").flatMap(render::ofKind).forEach(w -> pods.put(Rendered.name(w),
                new Pod(Rendered.name(w), NS, labels(w.at("/spec/template/metadata/labels")))));
        render.ofKind("Cluster").forEach(c -> pods.put(Rendered.name(c), new Pod(Rendered.name(c) + " instance", NS,
                Map.of("cnpg.io/cluster", Rendered.name(c), "cnpg.io/podRole", "instance"))));
        render.ofKind("Pooler").forEach(p -> pods.put(Rendered.name(p), new Pod(Rendered.name(p), NS,
                Map.of("cnpg.io/poolerName", Rendered.name(p), "cnpg.io/cluster", p.at("/spec/cluster/name").asText(),
                        "cnpg.io/podRole", "pooler"))));
        return pods;
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new TreeMap<>();
        node.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    /** The render's NetworkPolicies, all in the namespace, with Kubernetes' meaning (ingress only; no ipBlock). */
    static final class Policies {
        private final List<JsonNode> ingress;

        Policies(Rendered render) {
            ingress = render.ofKind("NetworkPolicy").filter(p -> {
                JsonNode types = p.at("/spec/policyTypes");
                return types.isMissingNode() || types.toString().contains("Ingress");
            }).toList();
            ingress.forEach(p -> {
                if (p.toString().contains("ipBlock")) {
                    throw new AssertionError("ipBlock is not evaluated here: " + Rendered.name(p));
                }
            });
        }

        boolean isolated(Pod pod) {
            return pod.namespace().equals(NS) && ingress.stream().anyMatch(p -> selects(p.at("/spec/podSelector"), pod.labels()));
        }

        boolean admits(Pod from, Pod to, int port) {
            if (!isolated(to)) {
                return true;
            }
            return ingress.stream().filter(p -> selects(p.at("/spec/podSelector"), to.labels()))
                    .flatMap(p -> stream(p.at("/spec/ingress")))
                    .anyMatch(rule -> portMatches(rule.path("ports"), port) && peerMatches(rule.path("from"), from));
        }

        private static boolean portMatches(JsonNode ports, int port) {
            return ports.isMissingNode() || ports.isEmpty() || stream(ports).anyMatch(p -> p.path("port").asInt() == port);
        }

        private static boolean peerMatches(JsonNode peers, Pod from) {
            if (peers.isMissingNode() || peers.isEmpty()) {
                return true;
            }
            return stream(peers).anyMatch(peer -> {
                JsonNode pods = peer.path("podSelector");
                JsonNode namespaces = peer.path("namespaceSelector");
                boolean namespaceOk = namespaces.isMissingNode() ? from.namespace().equals(NS)
                        : selects(namespaces, Map.of("kubernetes.io/metadata.name", from.namespace()));
                boolean podOk = pods.isMissingNode() || selects(pods, from.labels());
                return namespaceOk && podOk;
            });
        }

        /** A label selector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist); empty selects all. */
        static boolean selects(JsonNode selector, Map<String, String> labels) {
            if (selector.isMissingNode()) {
                return false;
            }
            boolean[] ok = {true};
            selector.path("matchLabels").fields().forEachRemaining(e ->
                    ok[0] &= e.getValue().asText().equals(labels.get(e.getKey())));
            for (JsonNode expression : selector.path("matchExpressions")) {
                String value = labels.get(expression.path("key").asText());
                Set<String> values = new java.util.HashSet<>();
                expression.path("values").forEach(v -> values.add(v.asText()));
                ok[0] &= switch (expression.path("operator").asText()) {
                    case "In" -> value != null && values.contains(value);
                    case "NotIn" -> value == null || !values.contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default -> throw new AssertionError("operator " + expression.path("operator"));
                };
            }
            return ok[0];
        }

        private static Stream<JsonNode> stream(JsonNode array) {
            List<JsonNode> out = new ArrayList<>();
            array.forEach(out::add);
            return out.stream();
        }
    }
}

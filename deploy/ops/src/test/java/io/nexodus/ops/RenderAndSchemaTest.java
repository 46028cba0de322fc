package io.nexodus.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every overlay renders with `kubectl kustomize`, and every object it renders is well-formed: parsed
 * strictly into the fabric8 model of its kind (an unknown or misplaced field fails), Knative objects
 * validated against the Knative CRD schemas, and nothing of OpenShift.
 */
class RenderAndSchemaTest {

    /** Kinds of optional components whose CRDs we do not keep: checked for shape by their own operator. */
    private static final Set<String> THIRD_PARTY_GROUPS = Set.of("postgresql.cnpg.io");

    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production"})
    void everyObjectParsesStrictlyIntoTheModelOfItsKind(String overlay) throws Exception {
        Rendered render = Rendered.of(overlay);
        assertTrue(render.objects.size() > 20, overlay + " renders " + render.objects.size() + " objects");
        List<String> problems = new ArrayList<>();
        for (JsonNode object : render.objects) {
            String id = object.path("apiVersion").asText() + " " + object.path("kind").asText() + " " + Rendered.name(object);
            String group = object.path("apiVersion").asText().contains("/") ? object.path("apiVersion").asText().split("/")[0] : "";
            if (group.contains("openshift")) {
                problems.add(id + ": an OpenShift kind");
                continue;
            }
            KubernetesResource model = StrictModel.parse(Rendered.YAML.writeValueAsString(object));
            if (!StrictModel.isTyped(model)) {
                if (!THIRD_PARTY_GROUPS.contains(group)) {
                    problems.add(id + ": no fabric8 model knows this kind");
                }
                continue;
            }
            StrictModel.unknownFields(model).forEach(f -> problems.add(id + ": unknown field " + f));
        }
        assertEquals(List.of(), problems, overlay);
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production"})
    void everyKnativeObjectValidatesAgainstItsCrd(String overlay) throws Exception {
        CrdSchemas schemas = new CrdSchemas();
        Rendered render = Rendered.of(overlay);
        List<String> problems = new ArrayList<>();
        int validated = 0;
        for (JsonNode object : render.objects) {
            String apiVersion = object.path("apiVersion").asText();
            Optional<Set<String>> errors = schemas.validate(object);
            if (errors.isPresent()) {
                validated++;
                errors.get().forEach(e -> problems.add(object.path("kind").asText() + " " + Rendered.name(object) + ": " + e));
            } else if (apiVersion.contains("knative.dev")) {
                problems.add(apiVersion + " " + object.path("kind").asText() + ": no CRD schema kept for it (test resources knative-crds/)");
            }
        }
        assertEquals(List.of(), problems, overlay);
        assertTrue(validated >= 12 + 4, "validated " + validated + " Knative objects");
    }

    @ParameterizedTest
    @ValueSource(strings = {"serving-service.yaml", "eventing-pingsource.yaml"})
    void theSchemaCheckRejectsAnUnknownField(String crd) throws Exception {
        // the check itself: a field Knative's webhook would refuse (a container lifecycle, a typo'd
        // PingSource field) must be an error here, or the test above proves nothing. (A Trigger's spec is
        // preserve-unknown in its CRD: EventingWiringTest checks its keys.)
        CrdSchemas schemas = new CrdSchemas();
        JsonNode object = crd.startsWith("serving")
                ? Rendered.YAML.readTree("""
                    apiVersion: serving.knative.dev/v1
                    kind: Service
                    metadata: {name: x}
                    spec:
                      template:
                        spec:
                          containers:
                            - image: x
                              lifecycle: {preStop: {exec: {command: [sleep, "1"]}}}
                    """)
                : Rendered.YAML.readTree("""
                    apiVersion: sources.knative.dev/v1
                    kind: PingSource
                    metadata: {name: x}
                    spec:
                      shedule: "0 0 * * *"
                      sink: {ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: x}}
                    """);
        Set<String> errors = schemas.validate(object).orElseThrow();
        assertFalse(errors.isEmpty(), "no error for an unknown field in " + crd);
        assertFalse(StrictModel.unknownFields(StrictModel.parse(Rendered.YAML.writeValueAsString(
                Rendered.YAML.readTree("{apiVersion: v1, kind: ConfigMap, metadata: {name: x, labelz: {}}}")))).isEmpty(),
                "the strict model walk finds a misplaced field");
    }

    @org.junit.jupiter.api.Test
    void nothingIsRenamedWhereKustomizeWouldNotFollow() throws Exception {
        // kustomize does not rewrite namePrefix/nameSuffix inside Triggers, PingSources and SinkBindings,
        // nor generated (hashed) names inside Knative Services: no kustomization here may rename
        List<String> problems = new ArrayList<>();
        for (String root : List.of("knative", "deploy")) {
            try (var files = java.nio.file.Files.walk(Repo.path(root))) {
                for (java.nio.file.Path file : files.filter(f -> f.getFileName().toString().equals("kustomization.yaml")).toList()) {
                    JsonNode k = Rendered.YAML.readTree(file.toFile());
                    if (k.has("namePrefix") || k.has("nameSuffix")) {
                        problems.add(Repo.root().relativize(file) + ": namePrefix/nameSuffix");
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
        // and the settings the Knative Services read are not generated with a hash suffix
        for (String overlay : Rendered.OVERLAYS) {
            Rendered render = Rendered.of(overlay);
            assertTrue(render.findCore("ConfigMap", "nexodus-config").isPresent(), overlay + ": nexodus-config under its own name");
        }
    }
}

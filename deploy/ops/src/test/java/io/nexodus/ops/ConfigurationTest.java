package io.nexodus.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the applications read is what the manifests give: every environment variable a function's (or
 * IPAM's) configuration names is set, every referenced ConfigMap, Secret and key exists in the render
 * (production's documented external Secrets aside), and the hosts the settings name are Services of
 * the render.
 */
class ConfigurationTest {

    /**
     * Variables whose built-in default is right in the cluster too: a deadline, not a location; no browser origin
     * allowed until a web console is deployed (NEXODUS_CONSOLE_ORIGINS), and the console's sign-in settings, whose
     * defaults fit (or, without a client secret, leave sign-in off) until then (docs/identity.md "Web console sign-in");
     * OIDC_BACKCHANNEL only where the provider's public URL is not reachable from the pods (ConsoleDeploymentTest).
     */
    private static final Set<String> DEFAULT_FITS = Set.of("IPAM_DEADLINE", "IPAM_DUMP_DEADLINE", "NEXODUS_CONSOLE_ORIGINS", "OIDC_BACKCHANNEL",
            "NEXODUS_WEB_CLIENT_ID", "NEXODUS_WEB_CLIENT_SECRET", "NEXODUS_WEB_PUBLIC_URL", "NEXODUS_WEB_COOKIE_SECURE",
            "NEXODUS_WEB_SESSION_IDLE", "NEXODUS_WEB_SESSION_MAX");

    /**
     * Set by Knative itself: PORT (reserved: a Service may not set it) and K_SINK, injected by the SinkBinding
     * into every function Service (EventingWiringTest checks that it selects exactly the functions and that no
     * manifest sets K_* itself).
     */
    private static final Set<String> KNATIVE_SETS = Set.of("PORT", "K_SINK");

    /**
     * The cluster's service token (shared/core ServiceToken: unset, it is accepted nowhere). Only gc, which
     * the PingSource starts with it, holds it; every other function is left without it on purpose.
     */
    static final String SERVICE_TOKEN = "NEXODUS_SERVICE_TOKEN";

    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)(?::[^}]*)?}");

    static Set<String> variablesIn(String... files) {
        Set<String> out = new TreeSet<>();
        for (String file : files) {
            if (!java.nio.file.Files.isRegularFile(Repo.path(file))) {
                continue;
            }
            Matcher m = ENV_REF.matcher(Repo.read(file));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        out.removeAll(DEFAULT_FITS);
        out.removeAll(KNATIVE_SETS);
        return out;
    }

    /** Every variable a function's configuration reads: shared defaults (core's, observability's), the IPAM client's where used, its own. */
    static Set<String> variablesOf(String function) {
        boolean ipamClient = Repo.read("functions/" + function + "/pom.xml").matches("(?s).*shared-(ipam-client|devices).*");
        List<String> files = new ArrayList<>(List.of("shared/core/src/main/resources/META-INF/microprofile-config.properties",
                "shared/observability/src/main/resources/META-INF/microprofile-config.properties",
                "functions/" + function + "/src/main/resources/application.properties"));
        if (ipamClient) {
            files.add("shared/ipam-client/src/main/resources/META-INF/microprofile-config.properties");
        }
        Set<String> vars = variablesIn(files.toArray(String[]::new));
        assertTrue(vars.contains(SERVICE_TOKEN), "shared/core reads the service token as " + SERVICE_TOKEN);
        if (function.equals("gc")) {
            // gc's policy (GcPolicy: nexodus.gc.retention, nexodus.gc.ipam-grace), set explicitly in the manifests
            vars.addAll(Set.of("NEXODUS_GC_RETENTION", "NEXODUS_GC_IPAM_GRACE"));
        } else {
            vars.remove(SERVICE_TOKEN);
        }
        return vars;
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production"})
    void everySettingAnApplicationReadsIsProvided(String overlay) {
        Rendered render = Rendered.of(overlay);
        Map<String, String> problems = new TreeMap<>();
        assertTrue(variablesOf("users").containsAll(Set.of("PG_URL", "PG_USER", "PG_PASSWORD", "OIDC_ISSUER", "OIDC_JWKS",
                "OIDC_AUDIENCE", "NEXODUS_DEVICE_TOKEN_KEY")), "the scan finds the shared settings: " + variablesOf("users"));
        assertTrue(variablesOf("register-device").containsAll(Set.of("IPAM_HOST", "IPAM_PORT")), "and the IPAM client's");
        render.ksvcs().forEach(svc -> {
            String name = Rendered.name(svc);
            Set<String> needed = name.equals("ipam") ? variablesIn("ipam/src/main/resources/application.properties") : variablesOf(name);
            assertTrue(!needed.isEmpty(), name + " reads nothing?");
            Map<String, String> refProblems = new TreeMap<>();
            Map<String, String> env = EffectiveEnv.of(render, svc.at("/spec/template/spec/containers/0"), refProblems);
            refProblems.forEach((k, v) -> problems.put(name + " " + k, v));
            for (String variable : needed) {
                String value = env.get(variable);
                if (value == null || value.isBlank()) {
                    problems.put(name + " " + variable, "not set");
                }
            }
            if (!name.equals("gc") && env.containsKey(SERVICE_TOKEN)) {
                problems.put(name + " " + SERVICE_TOKEN, "only gc may hold the service token");
            }
        });
        assertEquals(Map.of(), problems, overlay);
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production"})
    void everyReferencedObjectExists(String overlay) {
        Rendered render = Rendered.of(overlay);
        List<String> problems = new ArrayList<>();
        for (JsonNode object : render.objects) {
            String id = object.path("kind").asText() + " " + Rendered.name(object);
            JsonNode podSpec = Rendered.isKsvc(object) || object.path("kind").asText().matches("Deployment|StatefulSet|Job")
                    ? object.at("/spec/template/spec") : null;
            if (podSpec == null) {
                continue;
            }
            List<JsonNode> containers = new ArrayList<>();
            podSpec.path("initContainers").forEach(containers::add);
            podSpec.path("containers").forEach(containers::add);
            for (JsonNode container : containers) {
                Map<String, String> refProblems = new TreeMap<>();
                EffectiveEnv.of(render, container, refProblems);
                refProblems.forEach((k, v) -> problems.add(id + " " + k + ": " + v));
            }
            for (JsonNode volume : podSpec.path("volumes")) {
                if (volume.has("configMap") && render.findCore("ConfigMap", volume.at("/configMap/name").asText()).isEmpty()) {
                    problems.add(id + " volume ConfigMap " + volume.at("/configMap/name").asText() + " missing");
                }
                if (volume.has("secret") && EffectiveEnv.secretData(render, volume.at("/secret/secretName").asText()).isEmpty()) {
                    problems.add(id + " volume Secret " + volume.at("/secret/secretName").asText() + " missing");
                }
            }
        }
        render.ofKind("Cluster").forEach(c -> {
            String secret = c.at("/spec/bootstrap/initdb/secret/name").asText();
            if (!secret.isEmpty() && EffectiveEnv.secretData(render, secret).isEmpty()) {
                problems.add("Cluster " + Rendered.name(c) + " bootstrap Secret " + secret + " missing");
            }
        });
        render.ofKind("Pooler").forEach(p -> {
            if (render.find("Cluster", p.at("/spec/cluster/name").asText()).isEmpty()) {
                problems.add("Pooler " + Rendered.name(p) + " names no Cluster of the render");
            }
        });
        assertEquals(List.of(), problems, overlay);
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production"})
    void theHostsTheSettingsNameAreServicesOfTheRender(String overlay) {
        Rendered render = Rendered.of(overlay);
        Set<String> services = new TreeSet<>();
        render.objects.stream().filter(o -> o.path("kind").asText().equals("Service")).map(Rendered::name).forEach(services::add);
        // CloudNativePG creates <cluster>-rw/-ro/-r; a Pooler is served by a Service of its own name
        render.ofKind("Cluster").forEach(c -> services.add(Rendered.name(c) + "-rw"));
        render.ofKind("Pooler").forEach(p -> services.add(Rendered.name(p)));
        String namespace = render.find("Namespace", "nexodus").map(Rendered::name).orElseThrow();
        JsonNode config = render.findCore("ConfigMap", "nexodus-config").orElseThrow();
        List<String> problems = new ArrayList<>();
        config.path("data").fields().forEachRemaining(e -> {
            String value = e.getValue().asText();
            String host = e.getKey().equals("IPAM_HOST") ? value
                    : value.contains("://") ? URI.create(value.replace("postgresql://", "http://")).getHost() : null;
            if (host == null || !host.endsWith(".svc.cluster.local")) {
                return; // not an in-cluster location (production's identity provider, a number)
            }
            String[] parts = host.split("\\.");
            if (!parts[1].equals(namespace)) {
                problems.add(e.getKey() + "=" + value + ": namespace " + parts[1] + ", the render's is " + namespace);
            }
            if (!services.contains(parts[0])) {
                problems.add(e.getKey() + "=" + value + ": no Service " + parts[0] + " in the render");
            }
        });
        assertEquals(List.of(), problems, overlay);
        assertTrue(render.ksvcs().map(Rendered::name).collect(Collectors.toSet()).contains(
                config.at("/data/IPAM_HOST").asText().split("\\.")[0]), "IPAM_HOST names the ipam Knative Service");
        assertEquals("80", config.at("/data/IPAM_PORT").asText(), "Knative Services are reached on port 80");
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/overlays/kind", "deploy/overlays/production"})
    void theFrontDoorsUpstreamsAreFunctionServicesOfTheRender(String overlay) {
        Rendered render = Rendered.of(overlay);
        JsonNode config = render.objects.stream().filter(o -> o.path("kind").asText().equals("ConfigMap"))
                .filter(o -> Rendered.name(o).startsWith("front-door")).findFirst().orElseThrow();
        Matcher server = Pattern.compile("(?m)^\\s+server (\\S+) \"([^\".]+)\\.\\$\\{NAMESPACE}\\.svc\\.cluster\\.local:80\"$")
                .matcher(config.at("/data/haproxy.cfg").asText());
        Set<String> upstreams = new TreeSet<>();
        while (server.find()) {
            upstreams.add(server.group(2));
        }
        Set<String> functions = render.functions().map(Rendered::name).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(upstreams.size() >= 10, "upstreams " + upstreams);
        assertTrue(functions.containsAll(upstreams), "upstreams " + upstreams + " must be function Services " + functions);
        assertTrue(!upstreams.contains("gc") && !upstreams.contains("ipam"), "gc and ipam are never behind the front door");
    }
}

package io.nexodus.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * components/console (the upstream web console beside the front door) wired so that a browser can sign in: the
 * host the front door serves it at, the origin the functions trust, the callback URL Keycloak must allow and the
 * client secret all say the same thing, in the KIND overlay that uses it and in production with it added (a
 * throw-away overlay: production plus the component, its placeholder host). What only a cluster shows (the image
 * serving, a browser signing in) is in deploy/README.md's list of what was never run.
 */
class ConsoleDeploymentTest {

    @Test
    void theKindOverlaysConsoleSignsInAtConsoleLocalhost() {
        Rendered render = Rendered.of("deploy/overlays/kind");
        assertEquals(List.of(), problems(render));
        Map<String, String> config = config(render);
        assertEquals("console.localhost", config.get("NEXODUS_CONSOLE_HOST"));
        assertEquals("http://api.console.localhost:8080", config.get("NEXODUS_WEB_PUBLIC_URL"));
    }

    @Test
    void productionWithTheComponentAddedIsConsistentToo() throws Exception {
        Path dir = Files.createDirectories(Repo.path("deploy/ops/target/production-with-console"));
        Path root = Repo.root();
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - %s
                components:
                  - %s
                """.formatted(dir.relativize(root.resolve("deploy/overlays/production")),
                dir.relativize(root.resolve("deploy/components/console"))));
        Rendered render = Rendered.of(dir.toString());
        assertEquals(List.of(), problems(render));
        assertEquals("https://nexodus.example.com", config(render).get("NEXODUS_CONSOLE_ORIGINS"));
    }

    private static Map<String, String> config(Rendered render) {
        Map<String, String> out = new TreeMap<>();
        render.findCore("ConfigMap", "nexodus-config").orElseThrow().path("data").fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static List<String> problems(Rendered render) {
        List<String> problems = new ArrayList<>();
        if (render.findCore("Deployment", "console").isEmpty() || render.findCore("Service", "console").isEmpty()) {
            return List.of("no console Deployment and Service");
        }
        Map<String, String> config = config(render);
        String host = config.getOrDefault("NEXODUS_CONSOLE_HOST", "");
        // the front door learns the host from the same key (haproxy.cfg: CONSOLE_HOST)
        JsonNode door = render.findCore("Deployment", "front-door").orElseThrow().at("/spec/template/spec/containers/0/env");
        boolean hostFromConfig = false;
        for (JsonNode env : door) {
            hostFromConfig |= env.path("name").asText().equals("CONSOLE_HOST")
                    && env.at("/valueFrom/configMapKeyRef/name").asText().equals("nexodus-config")
                    && env.at("/valueFrom/configMapKeyRef/key").asText().equals("NEXODUS_CONSOLE_HOST");
        }
        if (!hostFromConfig) {
            problems.add("the front door's CONSOLE_HOST is not nexodus-config's NEXODUS_CONSOLE_HOST");
        }
        // the console's origin is its host; it calls api.<host> on the same scheme and port (Nexodus's ui/src/common/Api.tsx)
        URI origin = URI.create(config.getOrDefault("NEXODUS_CONSOLE_ORIGINS", "").split(",")[0].trim());
        if (!host.equalsIgnoreCase(origin.getHost())) {
            problems.add("NEXODUS_CONSOLE_ORIGINS " + origin + " is not on NEXODUS_CONSOLE_HOST " + host);
        }
        String api = origin.getScheme() + "://api." + host + (origin.getPort() < 0 ? "" : ":" + origin.getPort());
        String publicUrl = config.getOrDefault("NEXODUS_WEB_PUBLIC_URL", "");
        if (!publicUrl.equals(api)) {
            problems.add("NEXODUS_WEB_PUBLIC_URL " + publicUrl + " must be " + api + " (where sign-in comes back)");
        }
        boolean secure = !"false".equals(config.get("NEXODUS_WEB_COOKIE_SECURE"));
        if (secure != "https".equals(origin.getScheme())) {
            problems.add("NEXODUS_WEB_COOKIE_SECURE must be false exactly when the console is served over plain HTTP");
        }
        // the functions exchange the sign-in's code at the provider: a public URL on this machine (KIND's
        // http://localhost:8081) is not reachable from a pod, so an in-cluster backchannel must be given
        String issuerHost = URI.create(config.getOrDefault("OIDC_ISSUER", "http://none")).getHost();
        if ((issuerHost.equals("localhost") || issuerHost.endsWith(".localhost") || issuerHost.startsWith("127."))
                && !URI.create(config.getOrDefault("OIDC_BACKCHANNEL", "http://none")).getHost().endsWith(".svc.cluster.local")) {
            problems.add("OIDC_ISSUER is on " + issuerHost + ", which pods cannot reach, and no in-cluster OIDC_BACKCHANNEL is set");
        }
        // the client secret: the functions' and, with the shipped Keycloak, the realm's, from one Secret
        // (where the render has no such Secret, it comes from outside: deploy/README.md says to add the key)
        java.util.Optional<JsonNode> secrets = render.findCore("Secret", "nexodus-secrets");
        if (secrets.isPresent() && EffectiveEnv.secretData(render, "nexodus-secrets").orElseThrow()
                .getOrDefault("NEXODUS_WEB_CLIENT_SECRET", "").isBlank()) {
            problems.add("Secret nexodus-secrets has no NEXODUS_WEB_CLIENT_SECRET");
        }
        // the realm's ConfigMap is generated, its name hashed
        java.util.Optional<JsonNode> realmMap = render.ofKind("ConfigMap").filter(o -> Rendered.name(o).startsWith("keycloak-realm")).findFirst();
        if (render.findCore("Deployment", "keycloak").isPresent() && realmMap.isEmpty()) {
            problems.add("Keycloak without its realm ConfigMap");
        }
        realmMap.ifPresent(realm -> {
            JsonNode web = null;
            try {
                String file = realm.path("data").fields().next().getValue().asText();
                for (JsonNode client : Rendered.YAML.readTree(file).path("clients")) {
                    web = client.path("clientId").asText().equals("nexodus-web") ? client : web;
                }
            } catch (Exception e) {
                problems.add("the realm does not parse: " + e);
                return;
            }
            boolean allowed = false;
            for (JsonNode uri : web.path("redirectUris")) {
                allowed |= uri.asText().equals(api + "/web/*");
            }
            if (!allowed) {
                problems.add("the realm's nexodus-web client does not allow " + api + "/web/*");
            }
            JsonNode keycloakEnv = render.findCore("Deployment", "keycloak").orElseThrow().at("/spec/template/spec/containers/0/env");
            boolean sameSecret = false;
            for (JsonNode env : keycloakEnv) {
                sameSecret |= env.path("name").asText().equals("NEXODUS_WEB_CLIENT_SECRET")
                        && env.at("/valueFrom/secretKeyRef/name").asText().equals("nexodus-secrets");
            }
            if (!sameSecret) {
                problems.add("Keycloak's NEXODUS_WEB_CLIENT_SECRET is not Secret nexodus-secrets'");
            }
        });
        // only the front door reaches the console
        JsonNode policy = render.objects.stream().filter(o -> o.path("kind").asText().equals("NetworkPolicy"))
                .filter(o -> Rendered.name(o).equals("console")).findFirst().orElse(null);
        if (policy == null || !policy.at("/spec/ingress/0/from/0/podSelector/matchLabels/app.kubernetes.io~1name").asText().equals("front-door")) {
            problems.add("no NetworkPolicy lets only the front door reach the console");
        }
        return problems;
    }
}

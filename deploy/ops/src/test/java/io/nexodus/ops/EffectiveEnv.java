package io.nexodus.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The environment a container of the render really gets: envFrom ConfigMaps/Secrets, then env
 * (which wins), each value resolved from the rendered ConfigMap or Secret. A reference to an object
 * or key the render lacks is a problem, unless the object is one of the overlay's documented external
 * Secrets (then its documented keys are taken as present, value unknown).
 */
final class EffectiveEnv {

    /** Secrets production supplies from outside (deploy/overlays/production/kustomization.yaml), with their keys. */
    static final Map<String, Set<String>> PRODUCTION_EXTERNAL_SECRETS = Map.of(
            "nexodus-secrets", Set.of("PG_USER", "PG_PASSWORD", "NEXODUS_DEVICE_TOKEN_KEY"),
            "nexodus-pg-owner", Set.of("username", "password"),
            "nexodus-pg-app", Set.of("username", "password"),
            "front-door-tls", Set.of("tls.crt", "tls.key"),
            "nexodus-gc", Set.of("token"));

    static final String UNKNOWN = "<external>";

    private EffectiveEnv() {
    }

    static Map<String, Set<String>> externalSecrets(Rendered render) {
        return render.dir.endsWith("production") ? PRODUCTION_EXTERNAL_SECRETS : Map.of();
    }

    /** name → value (UNKNOWN for an external Secret's); problems are added to the given map as name → reason. */
    static Map<String, String> of(Rendered render, JsonNode container, Map<String, String> problems) {
        Map<String, String> env = new TreeMap<>();
        for (JsonNode from : container.path("envFrom")) {
            if (from.has("configMapRef")) {
                String name = from.at("/configMapRef/name").asText();
                Optional<JsonNode> cm = render.findCore("ConfigMap", name);
                if (cm.isEmpty()) {
                    problems.put("envFrom ConfigMap " + name, "missing");
                } else {
                    cm.get().path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
                }
            } else if (from.has("secretRef")) {
                String name = from.at("/secretRef/name").asText();
                secretData(render, name).ifPresentOrElse(env::putAll, () -> problems.put("envFrom Secret " + name, "missing"));
            } else {
                problems.put("envFrom " + from, "neither configMapRef nor secretRef");
            }
        }
        for (JsonNode e : container.path("env")) {
            String name = e.path("name").asText();
            if (e.has("value")) {
                env.put(name, e.path("value").asText());
            } else if (e.has("valueFrom")) {
                JsonNode ref = e.path("valueFrom");
                if (ref.has("configMapKeyRef")) {
                    String cm = ref.at("/configMapKeyRef/name").asText();
                    String key = ref.at("/configMapKeyRef/key").asText();
                    JsonNode value = render.findCore("ConfigMap", cm).map(c -> c.at("/data/" + key)).orElse(null);
                    if (value == null || value.isMissingNode()) {
                        problems.put(name, "ConfigMap " + cm + " key " + key + " missing");
                    } else {
                        env.put(name, value.asText());
                    }
                } else if (ref.has("secretKeyRef")) {
                    String secret = ref.at("/secretKeyRef/name").asText();
                    String key = ref.at("/secretKeyRef/key").asText();
                    Optional<Map<String, String>> data = secretData(render, secret);
                    if ((data.isEmpty() || !data.get().containsKey(key)) && ref.at("/secretKeyRef/optional").asBoolean(false)) {
                        continue; // optional: the variable is simply unset without it
                    }
                    if (data.isEmpty() || !data.get().containsKey(key)) {
                        problems.put(name, "Secret " + secret + " key " + key + " missing");
                    } else {
                        env.put(name, data.get().get(key));
                    }
                } else {
                    env.put(name, "<" + ref.fieldNames().next() + ">");
                }
            }
        }
        return env;
    }

    static Optional<Map<String, String>> secretData(Rendered render, String name) {
        Optional<JsonNode> secret = render.findCore("Secret", name);
        if (secret.isPresent()) {
            Map<String, String> data = new TreeMap<>();
            secret.get().path("data").fields().forEachRemaining(e -> data.put(e.getKey(),
                    new String(java.util.Base64.getDecoder().decode(e.getValue().asText()), java.nio.charset.StandardCharsets.UTF_8)));
            secret.get().path("stringData").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
            return Optional.of(data);
        }
        Set<String> keys = externalSecrets(render).get(name);
        if (keys == null) {
            return Optional.empty();
        }
        Map<String, String> data = new TreeMap<>();
        keys.forEach(k -> data.put(k, UNKNOWN));
        return Optional.of(data);
    }
}

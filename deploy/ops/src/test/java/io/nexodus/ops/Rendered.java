package io.nexodus.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The objects `kubectl kustomize <dir>` renders, as JSON trees; one render per directory per JVM. */
final class Rendered {

    static final List<String> OVERLAYS = List.of("deploy/overlays/kind", "deploy/overlays/production");

    private static final Map<String, Rendered> CACHE = new ConcurrentHashMap<>();
    static final ObjectMapper YAML = new YAMLMapper();

    final String dir;
    final String yaml;
    final List<JsonNode> objects;

    private Rendered(String dir, String yaml, List<JsonNode> objects) {
        this.dir = dir;
        this.yaml = yaml;
        this.objects = objects;
    }

    static Rendered of(String dir) {
        return CACHE.computeIfAbsent(dir, Rendered::render);
    }

    private static Rendered render(String dir) {
        Path kubectl = Tools.require("kubectl", "rendering " + dir);
        try {
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", Repo.path(dir).toString())
                    .redirectErrorStream(false).start();
            byte[] out = process.getInputStream().readAllBytes();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed: " + err);
            }
            String yaml = new String(out, StandardCharsets.UTF_8);
            return new Rendered(dir, yaml, parse(yaml));
        } catch (IOException e) {
            throw new AssertionError("kubectl kustomize " + dir + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static List<JsonNode> parse(String yaml) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    out.add(node);
                }
            }
        }
        return out;
    }

    Stream<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText()));
    }

    Stream<JsonNode> ksvcs() {
        return objects.stream().filter(Rendered::isKsvc);
    }

    static boolean isKsvc(JsonNode o) {
        return "Service".equals(o.path("kind").asText())
                && o.path("apiVersion").asText().startsWith("serving.knative.dev/");
    }

    /** Functions only: ksvcs labelled app.kubernetes.io/component=function (not ipam). */
    Stream<JsonNode> functions() {
        return ksvcs().filter(o -> "function".equals(o.at("/metadata/labels/app.kubernetes.io~1component").asText()));
    }

    Optional<JsonNode> find(String kind, String name) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText()))
                .filter(o -> name.equals(o.at("/metadata/name").asText())).findFirst();
    }

    Optional<JsonNode> findCore(String kind, String name) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText()))
                .filter(o -> !o.path("apiVersion").asText().contains("/") || o.path("apiVersion").asText().startsWith("apps/")
                        || o.path("apiVersion").asText().startsWith("batch/"))
                .filter(o -> name.equals(o.at("/metadata/name").asText())).findFirst();
    }

    static String name(JsonNode o) {
        return o.at("/metadata/name").asText();
    }
}

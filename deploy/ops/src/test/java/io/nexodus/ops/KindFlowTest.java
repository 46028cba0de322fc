package io.nexodus.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The KIND script cannot run here (no container runtime), so what can be checked offline is: it is
 * shellcheck-clean, it installs the Knative releases whose CRDs the other tests validate against, in the
 * order that works (CRDs, wait, core, Kourier, the ingress-class patch), on Kubernetes >= 1.34, and it
 * loads every image the manifests use.
 */
class KindFlowTest {

    private static final String SCRIPT = "deploy/kind/kind-up.sh";

    @Test
    void theScriptIsShellcheckClean() throws Exception {
        Path shellcheck = Tools.require("shellcheck", "the KIND script's lint");
        Process p = new ProcessBuilder(shellcheck.toString(), "--severity=info", Repo.path(SCRIPT).toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "shellcheck " + SCRIPT + ":\n" + out);
    }

    @Test
    void itInstallsTheKnativeReleasesTheCrdsComeFrom() {
        String script = Repo.read(SCRIPT);
        String sources = Repo.read("deploy/ops/src/test/resources/knative-crds/SOURCE.md");
        Matcher serving = Pattern.compile("knative/serving .*\\| (knative-v[0-9.]+) ").matcher(sources);
        Matcher eventing = Pattern.compile("knative/eventing .*\\| (knative-v[0-9.]+) ").matcher(sources);
        assertTrue(serving.find() && eventing.find(), "the CRDs' releases in SOURCE.md");
        assertTrue(script.contains("SERVING_VERSION=" + serving.group(1)), "Serving pinned to " + serving.group(1));
        assertTrue(script.contains("KOURIER_VERSION=" + serving.group(1)), "Kourier released with Serving " + serving.group(1));
        assertTrue(script.contains("EVENTING_VERSION=" + eventing.group(1)), "Eventing pinned to " + eventing.group(1));
        String[] order = {"/serving-crds.yaml", "kubectl wait --for=condition=Established crd", "/serving-core.yaml",
                "/kourier.yaml", "\"ingress-class\":\"kourier.ingress.networking.knative.dev\"", "/eventing-crds.yaml",
                "/eventing-core.yaml", "/in-memory-channel.yaml", "/mt-channel-broker.yaml", "kubectl apply -k",
                "--for=condition=complete", "nexodus-ops.jar\" wait", "/api/reg-keys", "/api/devices", "/events"};
        int at = -1;
        for (String step : order) {
            int next = script.indexOf(step, at + 1);
            assertTrue(next > at, "'" + step + "' missing or out of order in " + SCRIPT);
            at = next;
        }
        Matcher node = Pattern.compile("kindest/node:v1\\.(\\d+)\\.").matcher(Repo.read("deploy/kind/cluster.yaml"));
        assertTrue(node.find() && Integer.parseInt(node.group(1)) >= 34, "Kubernetes >= 1.34 for these Knative releases");
        assertTrue(Repo.read("deploy/kind/cluster.yaml").contains("containerPort: 31080"), "the front door's NodePort is published");
    }

    @Test
    void itLoadsEveryImageTheKindOverlayUses() {
        String script = Repo.read(SCRIPT);
        Matcher list = Pattern.compile("IMAGES=\\(([^)]*)\\)").matcher(script);
        assertTrue(list.find());
        java.util.Set<String> loaded = new java.util.TreeSet<>(java.util.List.of(list.group(1).trim().split("\\s+")));
        java.util.Set<String> used = new java.util.TreeSet<>();
        Rendered.of("deploy/overlays/kind").objects.forEach(o -> {
            o.at("/spec/template/spec/containers").forEach(c -> add(used, c.path("image").asText()));
            o.at("/spec/template/spec/initContainers").forEach(c -> add(used, c.path("image").asText()));
        });
        assertEquals(used, loaded, "images under kind.local/nexodus/ in the render against the script's IMAGES");
    }

    private static void add(java.util.Set<String> used, String image) {
        if (image.startsWith("kind.local/nexodus/")) {
            used.add(image.substring("kind.local/nexodus/".length()).replaceFirst(":.*$", ""));
        }
    }
}

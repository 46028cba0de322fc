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

    private static final String SMOKE = "deploy/smoke.sh";

    private static final String AOT_CACHE = "deploy/images/aot-cache.sh";

    @Test
    void theScriptsAreShellcheckClean() throws Exception {
        Path shellcheck = Tools.require("shellcheck", "the KIND script's lint");
        for (String script : new String[] {SCRIPT, SMOKE, AOT_CACHE}) {
            Process p = new ProcessBuilder(shellcheck.toString(), "--severity=info", Repo.path(script).toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "shellcheck " + script + ":\n" + out);
        }
    }

    /**
     * nexd on the host logs in where the auth function's discovery document says, and its token must carry
     * the issuer the functions trust: Keycloak published on the host (cluster.yaml), its hostname fixed to
     * that address (the kind overlay), OIDC_ISSUER the same, and the script logging in there.
     */
    @Test
    void tokensFromTheHostCarryTheIssuerTheFunctionsTrust() {
        Matcher keycloak = Pattern.compile("KEYCLOAK=\"(http://localhost:(\\d+))\"").matcher(Repo.read(SCRIPT));
        assertTrue(keycloak.find(), "KEYCLOAK= in " + SCRIPT);
        String cluster = Repo.read("deploy/kind/cluster.yaml");
        assertTrue(cluster.contains("containerPort: 31081\n        hostPort: " + keycloak.group(2)),
                "Keycloak's NodePort published on the host port the script uses");
        Rendered kind = Rendered.of("deploy/overlays/kind");
        String hostname = kind.objects.stream().filter(o -> o.path("kind").asText().equals("Deployment")
                        && o.at("/metadata/name").asText().equals("keycloak"))
                .flatMap(o -> java.util.stream.StreamSupport.stream(o.at("/spec/template/spec/containers/0/env").spliterator(), false))
                .filter(e -> e.path("name").asText().equals("KC_HOSTNAME")).map(e -> e.path("value").asText())
                .findFirst().orElse(null);
        assertEquals(keycloak.group(1), hostname, "Keycloak's fixed hostname");
        String issuer = kind.objects.stream().filter(o -> o.at("/metadata/name").asText().equals("nexodus-config"))
                .map(o -> o.at("/data/OIDC_ISSUER").asText()).findFirst().orElse(null);
        assertEquals(keycloak.group(1) + "/realms/nexodus", issuer, "OIDC_ISSUER in the kind overlay");
        String nodePort = kind.objects.stream().filter(o -> o.path("kind").asText().equals("Service")
                        && o.at("/metadata/name").asText().equals("keycloak"))
                .map(o -> o.at("/spec/ports/0/nodePort").asText()).findFirst().orElse(null);
        assertEquals("31081", nodePort, "Keycloak's NodePort");
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
                "/eventing-core.yaml", "/in-memory-channel.yaml", "/mt-channel-broker.yaml", "-Pimages package",
                "deploy/images/aot-cache.sh\" docker kind.local", "docker tag", "kind load docker-image",
                "kubectl kustomize \"$ROOT/deploy/overlays/kind\"", "delete job -l app.kubernetes.io/name=migrate --ignore-not-found", "kubectl apply -f",
                "--for=condition=complete", "nexodus-ops.jar\" wait", "/admin/realms/nexodus/users", "deploy/smoke.sh\" \"$FRONT_DOOR\""};
        int at = -1;
        for (String step : order) {
            int next = script.indexOf(step, at + 1);
            assertTrue(next > at, "'" + step + "' missing or out of order in " + SCRIPT);
            at = next;
        }
        Matcher node = Pattern.compile("kindest/node:v1\\.(\\d+)\\.").matcher(Repo.read("deploy/kind/cluster.yaml"));
        assertTrue(node.find() && Integer.parseInt(node.group(1)) >= 34, "Kubernetes >= 1.34 for these Knative releases");
        assertTrue(Repo.read("deploy/kind/cluster.yaml").contains("containerPort: 31080"), "the front door's NodePort is published");
        assertTrue(Pattern.compile("image: kindest/node:v[0-9.]+@sha256:[0-9a-f]{64}\n").matcher(Repo.read("deploy/kind/cluster.yaml")).find(),
                "the node image pinned by digest");
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

package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.Tools;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The lean build (README "Lean build": {@code mvn -Dlean package}, no Micrometer and no OpenTelemetry extension):
 * register-device built that way carries neither extension, starts, and registers a device against the real
 * PostgreSQL and IPAM server of this test application, its metrics registering in no registry and its events
 * recorded without a tracer; {@code /q/metrics} does not exist there. The build is made before this module's tests
 * ({@code .ci/run}: {@value #LEAN_BUILD}), in its own output directory beside the default one.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class LeanBuildTest {

    static final String LEAN_BUILD = "mvn -Dlean -pl functions/register-device -am package -DskipTests"
            + " -Dquarkus.package.output-directory=lean-app";

    /** The extensions a lean build leaves out, as their runtime jars are named in a packaged application's lib. */
    private static final List<String> OBSERVABILITY_JARS = List.of("io.quarkus.quarkus-micrometer",
            "io.quarkus.quarkus-opentelemetry");

    @ConfigProperty(name = "quarkus.grpc.clients.ipam.port")
    int ipamPort;

    @Test
    void aLeanRegisterDeviceHasNoObservabilityExtensionAndRegistersADevice() throws Exception {
        Path function = Repo.root().resolve("functions/register-device/target");
        Path lean = function.resolve("lean-app");
        if (!Files.isRegularFile(lean.resolve("quarkus-run.jar"))) {
            throw Tools.missing("register-device has no lean build (" + lean + ")",
                    ".ci/run makes it before mvn verify", "run " + LEAN_BUILD);
        }
        // the default build is what every other test runs: it must carry both, or this comparison says nothing
        for (String extension : OBSERVABILITY_JARS) {
            assertTrue(carries(function.resolve("quarkus-app"), extension), "the default build carries " + extension);
            assertFalse(carries(lean, extension), "the lean build leaves out " + extension);
        }

        // asked for, and still nothing to record with: the switch has no registry under it in this build
        Map<String, String> env = Map.of("IPAM_HOST", "localhost", "IPAM_PORT", String.valueOf(ipamPort),
                "NEXODUS_METRICS", "true");
        try (OwnProcess leanFunction = OwnProcess.start("lean-register-device", lean.resolve("quarkus-run.jar"), env)) {
            String base = leanFunction.base;
            String user = Nexd.user("lean");
            String vpc = Nexd.defaultVpc(user);
            String regKey = Nexd.regKey(user, vpc, "");
            Nexd agent = new Nexd();
            String id = agent.register(given().baseUri(base), "Bearer " + regKey, vpc, "").then()
                    .statusCode(201).extract().path("id");
            // written where every other function reads it, with an address from the real IPAM server
            List<String> v4 = given().header("Authorization", TestTokens.bearer(user)).get("/api/devices/" + id)
                    .then().statusCode(200).extract().path("ipv4_tunnel_ips.address");
            assertEquals(1, v4.size(), "one tunnel address from IPAM: " + v4);

            // no metrics endpoint without Micrometer; readiness (the database) still answers
            given().baseUri(base).get("/q/metrics").then().statusCode(404);
            given().baseUri(base).get("/q/health/ready").then().statusCode(200);
        }
    }

    private static boolean carries(Path app, String jarPrefix) throws IOException {
        try (Stream<Path> jars = Files.list(app.resolve("lib/main"))) {
            return jars.anyMatch(jar -> jar.getFileName().toString().startsWith(jarPrefix + "-"));
        }
    }
}

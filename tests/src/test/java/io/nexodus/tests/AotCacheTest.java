package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.Tools;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The images' trained AOT cache (deploy/images/aot-cache.sh), as far as it runs without a container runtime: the
 * script's own training run and check, in its local mode, on a built function with this machine's JDK 25 against
 * the test database: a cache is written, and a JVM that must use it (-XX:AOTMode=on) starts with it and becomes
 * ready. And the check can fail: a cache the JVM cannot use stops it before it starts, which is what makes a cache
 * that would silently go unused fail an image build.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class AotCacheTest {

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String pgUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    String pgUser;

    @ConfigProperty(name = "quarkus.datasource.password")
    String pgPassword;

    @Test
    void aTrainedCacheIsUsedAndAnUnusableOneStopsTheStart() throws Exception {
        Path curl = Tools.require("curl", "the AOT cache training run");
        Tools.require("openssl", "the AOT cache training run's token");
        Path java25 = Tools.requireJava(25, "the images' AOT cache");
        Path users = Repo.root().resolve("functions/users/target/quarkus-app");
        assertTrue(Files.isRegularFile(users.resolve("quarkus-run.jar")),
                "the functions are packaged before this module's tests (mvn verify's order)");
        Path dir = Files.createDirectories(Path.of("target", "aot-cache").toAbsolutePath());
        Path cache = dir.resolve("users.aot");
        String port = Integer.toString(PostgresTestResource.freePorts(1)[0]);
        Map<String, String> env = Map.of("JAVA", java25.toString(), "PG_URL", pgUrl, "PG_USER", pgUser,
                "PG_PASSWORD", pgPassword, "PORT", port, "FUNCTION", "users", "PATH",
                curl.getParent() + ":" + System.getenv("PATH"));
        Result trained = run(env, 5, "bash", Repo.root().resolve("deploy/images/aot-cache.sh").toString(), "local",
                users.toString(), cache.toString());
        assertEquals(0, trained.status(), trained.output());
        assertTrue(trained.output().contains("aot-cache: ok: "), trained.output());
        // trained on what a scale-from-zero's first request does: a token verified, its user provisioned, a read
        assertTrue(trained.output().contains("aot-cache: trained with a token: GET /api/users/me 200"), trained.output());
        assertTrue(Files.size(cache) > 1_000_000, "a cache of the start-up's classes: " + Files.size(cache) + " bytes");

        // a cache the JVM cannot use (here damaged; in an image, one made by another JDK build): with
        // -XX:AOTMode=on the JVM refuses to start instead of running without it, which is what fails a build
        Path damaged = dir.resolve("damaged.aot");
        Files.write(damaged, java.util.Arrays.copyOf(Files.readAllBytes(cache), 64 * 1024));
        Result refused = run(Map.of(), 1, java25.toString(), "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=60",
                "-XX:AOTCache=" + damaged, "-XX:AOTMode=on", "-Dquarkus.http.port=" + port, "-jar",
                users.resolve("quarkus-run.jar").toString());
        assertNotEquals(0, refused.status(), refused.output());
        assertTrue(refused.output().toLowerCase().contains("aot"), "the JVM says why: " + refused.output());
    }

    private record Result(int status, String output) {
    }

    /** Runs to its end (a JVM that should not have started is stopped after the time given and fails the test). */
    private static Result run(Map<String, String> env, int minutes, String... command) throws Exception {
        Path log = Files.createTempFile(Path.of("target"), "aot-cache", ".log");
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean ended = process.waitFor(minutes, TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(ended, String.join(" ", command) + " did not end:\n" + output);
        return new Result(process.exitValue(), output);
    }
}

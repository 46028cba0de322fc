package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsStringIgnoringCase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.HaproxyProcess;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.Tools;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The web console's contract, with the client it is built on: react-admin's REST data provider from npm
 * (tests/console-contract, run by Node.js) drives every resource the console has against the functions, signed in
 * as the console is: through /web with the real Keycloak and the shipped realm's nexodus-web client, the session
 * cookie as the only credential; and what only a browser enforces, CORS, for the console's origin, directly and
 * through the real front door.
 */
@QuarkusTest
@WithTestResource(value = KeycloakTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ConsoleContractTest {

    /** The console's origin: the one KeycloakTestResource allows (NEXODUS_CONSOLE_ORIGINS). */
    static final String CONSOLE = WebSignInTest.CONSOLE;

    @TestHTTPResource("/")
    URL app;

    @Test
    void reactAdminsDataProviderListsShowsCreatesEditsAndDeletesEveryResourceOfTheConsole() throws Exception {
        Path node = Tools.require("node", "the web console's data provider (npm: ra-data-simple-rest)");
        Path npm = Tools.require("npm", "the web console's data provider (npm: ra-data-simple-rest)");
        Path dir = Files.createDirectories(Path.of("target", "console-contract"));
        for (String file : List.of("package.json", "package-lock.json", "contract.mjs")) {
            Files.copy(Repo.root().resolve("tests/console-contract").resolve(file), dir.resolve(file),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(dir.resolve("node_modules/ra-data-simple-rest"))) {
            run(dir, 10, npm.toString(), "ci", "--no-audit", "--no-fund");
        }
        KeycloakServer.requireRunning("ConsoleContractTest");
        String sid = new BrowserUser("alice", "alice-password").signInToConsole(app.toString(), CONSOLE, "/");
        String out = run(dir, 2, node.toString(), "contract.mjs", app.toString().replaceFirst("/$", ""), sid, CONSOLE);
        System.out.print(out);
        assertTrue(out.contains("\"contract\":\"ok\""), out);
    }

    private static String run(Path dir, int minutes, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(minutes, TimeUnit.MINUTES), String.join(" ", command) + " did not end:\n" + out);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    @Test
    void theConsolesOriginGetsCorsWithCredentialsAndTheCountHeaderOthersNothing() {
        // the preflight comes without a token and is answered before authentication
        given().header("Origin", CONSOLE).header("Access-Control-Request-Method", "DELETE")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options("/api/organizations/" + java.util.UUID.randomUUID())
                .then().statusCode(200).header("Access-Control-Allow-Origin", CONSOLE)
                .header("Access-Control-Allow-Credentials", "true")
                .header("Access-Control-Allow-Methods", containsStringIgnoringCase("DELETE"))
                .header("Access-Control-Allow-Headers", containsStringIgnoringCase("authorization"));
        given().header("Origin", CONSOLE).header("Authorization", TestTokens.bearer(Nexd.user("cors")))
                .get("/api/organizations").then().statusCode(200).header("Access-Control-Allow-Origin", CONSOLE)
                .header("Access-Control-Expose-Headers", containsStringIgnoringCase("X-Total-Count"));
        // another origin learns nothing: no CORS headers, so a browser hides the answer from its page
        given().header("Origin", "http://elsewhere.test").header("Access-Control-Request-Method", "GET")
                .options("/api/organizations").then().header("Access-Control-Allow-Origin", (String) null);
    }

    @Test
    void preflightsPassTheFrontDoor() throws Exception {
        Path haproxy = Tools.require("haproxy", "the front door against the real proxy");
        String config = Files.readString(Repo.root().resolve(FrontDoorConfig.PATH));
        try (HaproxyProcess door = HaproxyProcess.start(haproxy, config, app.getPort(), Map.of())) {
            HttpResponse<String> preflight = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(door.base() + "/api/vpcs/" + java.util.UUID.randomUUID() + "/devices"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", CONSOLE)
                    .header("Access-Control-Request-Method", "GET").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, preflight.statusCode(), preflight.body());
            assertEquals(CONSOLE, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        }
    }
}

package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No credential ever reaches a log line: every kind (a user's bearer token, a forged one, a registration key,
 * a device token and its sealed form, the cluster's service token, a token in a CloudEvent's
 * {@code ce-authorization}, the device-token key) is driven through calls that succeed and calls that fail,
 * with our code and the token verification logging at DEBUG, and every record the application logged
 * (message, parameters and stack traces) is searched for each of them.
 */
@QuarkusTest
@WithTestResource(value = VerboseLogging.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class CredentialsNeverLoggedTest {

    private final ConcurrentLinkedQueue<String> logged = new ConcurrentLinkedQueue<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(render(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureTheLog() {
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    private static String render(LogRecord record) {
        StringBuilder line = new StringBuilder(record.getLoggerName() + " " + record.getMessage());
        if (record instanceof org.jboss.logmanager.ExtLogRecord ext) {
            line.append(' ').append(ext.getFormattedMessage());
        }
        if (record.getParameters() != null) {
            for (Object parameter : record.getParameters()) {
                line.append(' ').append(parameter);
            }
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(' ').append(trace);
        }
        return line.toString();
    }

    private static RequestSpecification as(String bearer) {
        return given().header("Authorization", bearer).contentType(ContentType.JSON);
    }

    @Test
    void noCredentialOfAnyKindIsEverLogged() {
        List<String> secrets = new ArrayList<>();
        String user = Nexd.user("log-secrets");
        String bearer = TestTokens.bearer(user);
        secrets.add(bearer.substring("Bearer ".length()));
        String vpc = Nexd.defaultVpc(user);

        // a user's token: succeeding, refused by access control, and bad input under it
        as(bearer).get("/api/users/me").then().statusCode(200);
        as(bearer).get("/api/devices/" + UUID.randomUUID()).then().statusCode(404);
        as(bearer).body("{\"vpc_id\":\"" + vpc + "\",\"bogus\":1}").post("/api/reg-keys").then().statusCode(400);

        // a forged token (signature changed) and one from nowhere
        String forged = bearer.substring(0, bearer.length() - 4) + "AAAA";
        secrets.add(forged.substring("Bearer ".length()));
        as(forged).get("/api/users/me").then().statusCode(401);
        String garbage = "Bearer not-a-jwt-" + UUID.randomUUID();
        secrets.add(garbage.substring("Bearer ".length()));
        as(garbage).get("/api/users/me").then().statusCode(401);

        // a registration key: registering with it, then after it is revoked (deleted)
        JsonPath key = as(bearer).body("{\"vpc_id\":\"" + vpc + "\"}").post("/api/reg-keys")
                .then().statusCode(201).extract().jsonPath();
        String regKey = key.getString("bearer_token");
        secrets.add(regKey);
        Nexd agent = new Nexd();
        JsonPath device = agent.register("Bearer " + regKey, vpc, "").then().statusCode(201).extract().jsonPath();
        as(bearer).delete("/api/reg-keys/" + key.getString("id")).then().statusCode(200);
        new Nexd().register("Bearer " + regKey, vpc, "").then().statusCode(401);

        // a device token, sealed in the answer and opened by the agent: using it, and one altered
        String sealed = device.getString("bearer_token");
        String deviceToken = agent.open(sealed);
        secrets.add(sealed);
        secrets.add(deviceToken);
        as("Bearer " + deviceToken).get("/api/vpcs/" + vpc + "/devices").then().statusCode(200);
        String alteredDevice = deviceToken.substring(0, deviceToken.length() - 3) + "xyz";
        secrets.add(alteredDevice);
        as("Bearer " + alteredDevice).get("/api/vpcs/" + vpc + "/devices").then().statusCode(401);

        // the service token: where it may go, where it may not, and with a refused policy
        String service = TestTokens.serviceBearer();
        secrets.add(service.substring("Bearer ".length()));
        as(service).get("/private/gc").then().statusCode(204);
        as(service).get("/api/users/me").then().statusCode(403);
        as(service).get("/private/gc?retention=1s").then().statusCode(400);

        // a CloudEvent's ce-authorization, accepted and refused
        event(bearer, "io.nexodus.regkey.create").body("{\"vpc_id\":\"" + vpc + "\"}").post("/").then().statusCode(200);
        event(forged, "io.nexodus.regkey.create").body("{\"vpc_id\":\"" + vpc + "\"}").post("/").then().statusCode(401);

        // the key device tokens are encrypted under at rest
        secrets.add(PostgresTestResource.DEVICE_TOKEN_KEY);

        assertTrue(logged.size() > 10, "the log was captured: " + logged.size() + " records");
        for (String secret : secrets) {
            for (String line : logged) {
                assertTrue(!line.contains(secret), "a credential reached the log: " + line);
            }
        }
        System.out.printf("credentials-in-logs: %d credentials of 8 kinds searched in %d log records at DEBUG: none found%n",
                secrets.size(), logged.size());
    }

    private static RequestSpecification event(String bearer, String type) {
        return given().header("ce-authorization", bearer).contentType("application/json")
                .header("ce-id", UUID.randomUUID().toString()).header("ce-specversion", "1.0")
                .header("ce-source", "/tests").header("ce-type", type);
    }
}

package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.TestTokens;
import io.nexodus.testing.Tools;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.net.http.HttpResponse;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The functions behind a transaction-mode pooler that does not track prepared statements (Debian's PgBouncer,
 * {@link BehindPgBouncer}): with {@code PG_LAYER7_PROXY=true}, as the README tells such a deployment,
 * registrations, reads and writes all work while eight client connections share two server connections. Before
 * that setting existed the functions always cached named prepared statements per connection (Quarkus's default),
 * and every request through such a pooler failed with a 500 ({@code prepared statement "…" already exists}).
 */
@QuarkusTest
@WithTestResource(value = BehindPgBouncer.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class PoolerTest {

    static final int REGISTRATIONS = 60;

    @TestHTTPResource("/")
    URL base;

    @Inject
    Vertx vertx;

    /** PgBouncer's port ({@link BehindPgBouncer}); a default, since every test class's application checks this injection */
    @ConfigProperty(name = "nexodus.test.pgbouncer", defaultValue = "missing")
    String pooler;

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    @Test
    void everyOperationWorksThroughATransactionPoolerThatTracksNoPreparedStatements() throws Exception {
        Tools.require("pgbouncer", "the functions behind a transaction-mode pooler");
        long transactionsBefore = pooledTransactions();
        String bearer = TestTokens.bearer("pooled");
        String vpc = Nexd.defaultVpc("pooled");

        List<HttpResponse<String>> answers = RegistrationBurst.start(base, bearer, vpc, REGISTRATIONS, 12).answers();
        assertEquals(0, RegistrationBurst.failures(answers), "every registration through the pooler: "
                + RegistrationBurst.statuses(answers) + " " + RegistrationBurst.sampleFailures(answers));

        for (int round = 0; round < 3; round++) {
            given().header("Authorization", bearer).get("/api/vpcs/" + vpc + "/devices")
                    .then().statusCode(200).header("X-Total-Count", String.valueOf(REGISTRATIONS));
            given().header("Authorization", bearer).get("/api/users/me").then().statusCode(200);
            given().header("Authorization", bearer).get("/api/organizations").then().statusCode(200);
        }
        String device = given().header("Authorization", bearer).get("/api/vpcs/" + vpc + "/devices")
                .then().extract().path("[0].id");
        given().header("Authorization", bearer).contentType("application/json").body("{\"hostname\":\"pooled-1\"}")
                .patch("/api/devices/" + device).then().statusCode(200);
        given().header("Authorization", bearer).delete("/api/devices/" + device).then().statusCode(200);

        long carried = pooledTransactions() - transactionsBefore;
        assertTrue(carried >= REGISTRATIONS, "the requests went through the pooler: " + carried + " transactions");
    }

    /**
     * Transactions PgBouncer has carried so far, from its admin console ({@code SHOW STATS}, simple protocol only:
     * JDBC's set-up {@code SET}s are refused there).
     */
    private long pooledTransactions() throws Exception {
        PgConnectOptions admin = new PgConnectOptions().setHost("127.0.0.1").setPort(Integer.parseInt(pooler))
                .setDatabase("pgbouncer").setUser(user);
        SqlConnection connection = PgConnection.connect(vertx, admin).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        try {
            long total = 0;
            for (Row row : connection.query("SHOW STATS").execute().toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS)) {
                total += row.getLong("total_xact_count");
            }
            return total;
        } finally {
            connection.close();
        }
    }
}

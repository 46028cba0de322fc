package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The database goes away in the middle of a registration burst: every connection of the functions and
 * of the IPAM server is cut, twice (what a PostgreSQL restart does to them). Requests then fail with a
 * clear 5xx JSON answer, nothing half-written remains (no device without addresses, no address without
 * a device), and service resumes by itself. Prints its figures.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class FaultsTest {

    static final int REGISTRATIONS = 200;

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    /** Cuts every other session of the test database, as a restart would. */
    private void cutConnections() throws Exception {
        try (Connection admin = DriverManager.getConnection("jdbc:" + url, user, password)) {
            admin.createStatement().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND pid <> pg_backend_pid()");
        }
    }

    @Test
    void aDatabaseOutageInABurstLeavesNothingHalfWritten() throws Exception {
        String name = Nexd.user("outage");
        String vpc = Nexd.defaultVpc(name);
        String bearer = TestTokens.bearer(name);
        RegistrationBurst burst = RegistrationBurst.start(base, bearer, vpc, REGISTRATIONS, 16);
        Thread.sleep(300);
        cutConnections();
        Thread.sleep(300);
        cutConnections();
        List<HttpResponse<String>> answers = burst.answers();
        int failed = 0;
        for (HttpResponse<String> answer : answers) {
            if (answer.statusCode() != 201) {
                failed++;
                assertTrue(answer.statusCode() >= 500, "a failure is a 5xx: " + answer.statusCode() + " " + answer.body());
                assertTrue(answer.body().contains("\"error\""), "with a JSON body: " + answer.body());
            }
        }

        // service resumes by itself
        new Nexd().register(bearer, vpc, "").then().statusCode(201);

        AddressLedger ledger = AddressLedger.read(db);
        System.out.printf("faults: %d registrations, connections cut twice mid-burst: statuses %s; %s%n",
                REGISTRATIONS, RegistrationBurst.statuses(answers), ledger);
        assertEquals(0, ledger.devicesWithoutAddresses(), "no device without addresses");
        // When a connection is lost after a commit but before the answer (the IPAM server's acquisition, or our
        // insert when the row cannot be looked up afterwards), the caller gets a 5xx and an address stays taken
        // that nobody holds, until gc reconciles. Never the other way round: a device keeps its addresses. So
        // before gc, orphans are bounded by the failed answers (two addresses each).
        assertTrue(ledger.addressesWithoutDevice() <= 2L * failed,
                "orphans " + ledger.addressesWithoutDevice() + " beyond the " + failed + " failed answers");
        assertEquals(2 * ledger.liveDevices() + ledger.addressesWithoutDevice(), ledger.allocations());

        // what the outage left in IPAM is given back by gc's reconciliation (grace 0: nothing is in flight now)
        given().get("/private/gc?ipam_grace=0s").then().statusCode(204);
        AddressLedger reconciled = AddressLedger.read(db);
        System.out.printf("faults: after gc: %s%n", reconciled);
        assertEquals(0, reconciled.addressesWithoutDevice(), "no address without a device after reconciliation");
        assertEquals(0, reconciled.devicesWithoutAddresses(), "no device without addresses after reconciliation");
        assertEquals(2 * reconciled.liveDevices(), reconciled.allocations());
    }
}

package io.nexodus.tests;

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
 * clear 5xx JSON answer, nothing half-written remains (no device without addresses; no address without
 * a device once gc has reconciled what lost answers left in IPAM), and service resumes by itself. Prints
 * its figures.
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

    /** Cuts every other session of the test database, as a restart would; returns how many it cut. */
    private int cutConnections() throws Exception {
        try (Connection admin = DriverManager.getConnection("jdbc:" + url, user, password)) {
            java.sql.ResultSet cut = admin.createStatement().executeQuery("SELECT count(*) FILTER"
                    + " (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND pid <> pg_backend_pid()");
            cut.next();
            return cut.getInt(1);
        }
    }

    @Test
    void aDatabaseOutageInABurstLeavesNothingHalfWritten() throws Exception {
        String name = Nexd.user("outage");
        String vpc = Nexd.defaultVpc(name);
        String bearer = TestTokens.bearer(name);
        RegistrationBurst burst = RegistrationBurst.start(base, bearer, vpc, REGISTRATIONS, 16);
        burst.awaitInFlight(20);
        int first = cutConnections();
        burst.awaitInFlight((int) burst.answered() + 20);
        int second = cutConnections();
        burst.assertStillInFlight("after the second cut");
        assertTrue(first > 0 && second > 0, "each cut ended the functions' sessions: " + first + ", " + second);
        List<HttpResponse<String>> answers = burst.answers();
        RegistrationBurst.failures(answers);

        // service resumes by itself
        new Nexd().register(bearer, vpc, "").then().statusCode(201);

        AddressLedger ledger = AddressLedger.read(db);
        System.out.printf("faults: %d registrations, connections cut twice mid-burst: statuses %s; %s%n",
                REGISTRATIONS, RegistrationBurst.statuses(answers) + " " + RegistrationBurst.sampleFailures(answers), ledger);
        ledger.assertNoDeviceWithoutAddresses();
        // what the outage left in IPAM is given back by gc's reconciliation
        System.out.printf("faults: after gc: %s%n", AddressLedger.reconciled(db));
    }
}

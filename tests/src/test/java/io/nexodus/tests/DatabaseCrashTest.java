package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL crashes in the middle of a registration burst ({@code pg_ctl stop -m immediate}), stays down
 * for two seconds and restarts with crash recovery, during which it answers {@code 57P03} ("the database
 * system is starting up"). Every caller that did not get its device must get a retryable {@code 503} with a
 * {@code Retry-After} header, never a {@code 500}: the functions and the IPAM server classify database
 * failures by SQLSTATE and exception type, not by message text. Nothing is left half-written, and service
 * resumes by itself. Prints its figures.
 */
@QuarkusTest
@WithTestResource(value = OnCrashablePostgres.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class DatabaseCrashTest {

    static final int REGISTRATIONS = 400;

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    @Test
    void aCrashedAndRestartingDatabaseIsA503NeverA500() throws Exception {
        String name = Nexd.user("crash");
        String vpc = Nexd.defaultVpc(name);
        String bearer = TestTokens.bearer(name);
        RegistrationBurst burst = RegistrationBurst.start(base, bearer, vpc, REGISTRATIONS, 16);
        burst.awaitInFlight(20);
        OnCrashablePostgres.crashable().crashFor(Duration.ofSeconds(2));
        // a second burst from the moment the server starts again: it meets crash recovery ("starting up")
        RegistrationBurst duringRecovery = RegistrationBurst.start(base, bearer, vpc, REGISTRATIONS / 2, 16);
        OnCrashablePostgres.crashable().awaitUp(Duration.ofSeconds(30));
        List<HttpResponse<String>> answers = new java.util.ArrayList<>(burst.answers());
        answers.addAll(duringRecovery.answers());
        Map<Integer, Integer> statuses = RegistrationBurst.statuses(answers);
        System.out.printf("database-crash: %d registrations, PostgreSQL stopped -m immediate for 2 s mid-burst, then"
                + " restarted: statuses %s %s%n", answers.size(), statuses, RegistrationBurst.sampleFailures(answers));

        assertTrue(statuses.getOrDefault(503, 0) > 0, "the crash landed in the burst: " + statuses);
        for (HttpResponse<String> answer : answers) {
            if (answer.statusCode() != 201) {
                assertEquals(503, answer.statusCode(), "a database away is retryable: " + answer.body());
                assertTrue(answer.body().contains("\"error\""), "with a JSON body: " + answer.body());
                assertNotNull(answer.headers().firstValue("Retry-After").orElse(null),
                        "a 503 says when to retry: " + answer.headers().map());
            }
        }
        assertFalse(statuses.containsKey(500), "no 500 for a database that is away: " + statuses);

        // service resumes by itself once recovery ends
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
                .until(() -> new Nexd().register(bearer, vpc, "").statusCode() == 201);
        AddressLedger ledger = AddressLedger.read(db);
        System.out.printf("database-crash: %s%n", ledger);
        ledger.assertNoDeviceWithoutAddresses();
        System.out.printf("database-crash: after gc: %s%n", AddressLedger.reconciled(db));
    }
}

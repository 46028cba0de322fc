package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The IPAM server goes away in the middle of a registration burst and comes back a second later: every
 * connection to it is cut and new ones are refused (a {@link TcpRelay} between the functions and the real
 * gRPC server). Requests then fail with a clear 5xx JSON answer, nothing half-written remains (no device
 * without addresses; no address without a device once gc has reconciled what lost answers left in IPAM),
 * and service resumes by itself once IPAM is back. Prints its figures.
 */
@QuarkusTest
@WithTestResource(value = IpamBehindRelay.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class IpamOutageTest {

    static final int REGISTRATIONS = 200;

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    @ConfigProperty(name = "quarkus.grpc.clients.ipam.port")
    int relayPort;

    @ConfigProperty(name = "quarkus.grpc.server.test-port")
    int ipamPort;

    @Test
    void anIpamOutageInABurstLeavesNothingHalfWritten() throws Exception {
        try (TcpRelay ipam = TcpRelay.start(relayPort, ipamPort)) {
            String name = Nexd.user("ipam-outage");
            String vpc = Nexd.defaultVpc(name);
            String bearer = TestTokens.bearer(name);
            new Nexd().register(bearer, vpc, "").then().statusCode(201);

            RegistrationBurst burst = RegistrationBurst.start(base, bearer, vpc, REGISTRATIONS, 16);
            burst.awaitInFlight(20);
            int cut = ipam.cut();
            long answeredAtCut = burst.answered();
            assertTrue(cut > 0, "the cut closed the functions' IPAM connection");
            // a caller arriving during the outage is told so; its call is also one that finds IPAM away,
            // whatever stage the burst's own requests had reached when the cut landed (on a fast machine the
            // last of them may be past their IPAM calls, and readiness is learnt from calls only)
            new Nexd().register(bearer, vpc, "").then().statusCode(503);
            // readiness says so once the replica's calls find IPAM away: it is taken out of rotation
            Awaitility.await("readiness DOWN after the cut (" + answeredAtCut + " of " + REGISTRATIONS
                    + " answered at the cut)").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> given().get("/q/health/ready").statusCode() == 503);
            given().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'ipam' }.status", is("DOWN"));
            Thread.sleep(1000);
            burst.assertStillInFlight("when IPAM came back");
            ipam.restore();
            List<HttpResponse<String>> answers = burst.answers();

            int failed = RegistrationBurst.failures(answers);
            // service resumes by itself: the gRPC channel reconnects with its own back-off
            long answered = System.nanoTime();
            AtomicInteger refusedAfter = new AtomicInteger();
            Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250)).until(() -> {
                boolean created = new Nexd().register(bearer, vpc, "").statusCode() == 201;
                if (!created) {
                    refusedAfter.incrementAndGet();
                }
                return created;
            });
            long resumedAfter = (System.nanoTime() - answered) / 1_000_000;
            given().get("/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'ipam' }.status", is("UP"));
            failed += refusedAfter.get();

            AddressLedger ledger = AddressLedger.read(db);
            System.out.printf("ipam-outage: %d registrations, IPAM cut for 1 s mid-burst: statuses %s; then a new"
                    + " registration succeeded after %d ms (%d refused first); %s%n", REGISTRATIONS,
                    RegistrationBurst.statuses(answers) + " " + RegistrationBurst.sampleFailures(answers), resumedAfter, refusedAfter.get(), ledger);
            assertTrue(failed > 0, "callers felt a 1 s outage in the middle of the burst");
            ledger.assertNoDeviceWithoutAddresses();
            // what the outage left in IPAM is given back by gc's reconciliation
            System.out.printf("ipam-outage: after gc: %s%n", AddressLedger.reconciled(db));
        }
    }
}

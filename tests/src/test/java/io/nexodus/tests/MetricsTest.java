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
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Every metric of docs/operations.md "Metrics" is on {@code /q/metrics} after real traffic (REST, a
 * CloudEvent, a watch stream and its fan-out, registrations that succeed and are refused, IPAM calls that
 * succeed and fail) against the real PostgreSQL and the real IPAM server, with metrics switched on at run
 * time ({@code nexodus.metrics.enabled}). The values are checked where the traffic fixes them.
 */
@QuarkusTest
@TestProfile(MetricsTest.MetricsOn.class)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class MetricsTest {

    public static class MetricsOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("nexodus.metrics.enabled", "true", "nexodus.metrics.vpc-addresses.every", "PT0.1S");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void everyMetricIsScrapedAfterRealTraffic() throws Exception {
        String user = Nexd.user("metrics");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        Nexd first = new Nexd();
        first.register(bearer, vpc, ",\"ipv4_tunnel_ips\":[{\"address\":\"100.64.0.77\"}]").then().statusCode(201);
        // refused: the same key again (409)
        first.register(bearer, vpc, "").then().statusCode(409);
        // IPAM refuses an address already held (a non-OK gRPC status); the device gets another one
        new Nexd().register(bearer, vpc, ",\"ipv4_tunnel_ips\":[{\"address\":\"100.64.0.77\"}]").then().statusCode(201);
        // a CloudEvent, binary mode, as the Broker delivers it
        given().header("ce-authorization", bearer).contentType("application/json")
                .header("ce-id", UUID.randomUUID().toString()).header("ce-specversion", "1.0")
                .header("ce-source", "/tests").header("ce-type", "io.nexodus.fflags.list").body("{}").post("/")
                .then().statusCode(200);

        try (WatchClient watch = new WatchClient(base, "/api/events", bearer,
                "[{\"kind\":\"device\",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]")) {
            assertEquals(200, watch.status);
            watch.untilTail("device");
            new Nexd().register(bearer, vpc, "").then().statusCode(201);
            JsonObject change = watch.next(5);
            assertEquals("change", change.getString("type"));

            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> value(scrape(), "nexodus_ipam_addresses_in_use", "vpc=\"" + vpc + "\"", "family=\"ipv4\"") == 3);
            List<String> page = scrape();
            System.out.printf("metrics: %d lines scraped, %d series of ours; families: %s%n", page.size(),
                    page.stream().filter(l -> l.startsWith("nexodus_")).count(),
                    page.stream().filter(l -> l.startsWith("# TYPE ")).map(l -> l.substring(7)).toList());

            // requests and latency per route template and per CloudEvent type
            assertTrue(value(page, "http_server_requests_seconds_count", "method=\"POST\"", "uri=\"/api/devices\"",
                    "status=\"201\"", "cloudevent=\"none\"") == 3);
            assertTrue(value(page, "http_server_requests_seconds_count", "cloudevent=\"io.nexodus.fflags.list\"",
                    "status=\"200\"", "uri=\"root\"") == 1);
            assertTrue(value(page, "http_server_requests_seconds_sum", "uri=\"/api/devices\"", "status=\"201\"") > 0);
            assertTrue(page.stream().noneMatch(l -> l.startsWith("http_server_requests") && l.contains(vpc)),
                    "no raw path with a VPC id in a tag");
            // the database pool: use and wait
            assertTrue(value(page, "sql_pool_usage_seconds_count") >= 1, "pool acquisitions timed");
            assertTrue(value(page, "sql_pool_queue_delay_seconds_count") >= 1, "waits for a connection timed");
            assertTrue(value(page, "sql_pool_active") >= 0);
            System.out.printf("metrics: pool series: %s%n", page.stream().filter(l -> l.startsWith("sql_pool_queue_delay_seconds_count")).toList());
            // IPAM calls: latency by gRPC status, success and a refusal
            assertTrue(value(page, "grpc_client_processing_duration_seconds_count", "service=\"api.v1.IpamService\"",
                    "method=\"AcquireIP\"", "statusCode=\"OK\"") >= 3);
            assertTrue(page.stream().anyMatch(l -> l.startsWith("grpc_client_processing_duration_seconds_count")
                    && l.contains("service=\"api.v1.IpamService\"") && !l.contains("statusCode=\"OK\"")),
                    "a refused IPAM call is counted by its status");
            // watch streams and their fan-out
            assertEquals(1, value(page, "nexodus_watch_streams_open"));
            assertTrue(value(page, "nexodus_watch_fanout_delay_seconds_count", "kind=\"device\"") >= 1);
            assertTrue(value(page, "nexodus_watch_fanout_delay_seconds_bucket", "kind=\"device\"", "le=\"5.0\"") >= 1);
            // registrations by outcome
            assertEquals(3, value(page, "nexodus_device_registrations_total", "outcome=\"registered\""));
            assertEquals(1, value(page, "nexodus_device_registrations_total", "outcome=\"refused\""));
            assertEquals(0, value(page, "nexodus_device_registrations_total", "outcome=\"failed\""));
            // IPAM addresses in use per VPC (bounded: the top VPCs, the rest as "other")
            assertTrue(value(page, "nexodus_ipam_addresses_in_use", "vpc=\"" + vpc + "\"", "family=\"ipv6\"") >= 0);
            assertTrue(value(page, "nexodus_ipam_vpcs") >= 1);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> value(scrape(), "nexodus_watch_streams_open") == 0);
        // the watch routes are Vert.x routes: counted by their template, never by the VPC in the path (a stream the
        // client cuts is a reset, not an answer, so an answer that ends is what shows it)
        String elsewhere = UUID.randomUUID().toString();
        int status = given().header("Authorization", bearer).contentType("application/json")
                .body("[{\"kind\":\"device\"}]").post("/api/vpcs/" + elsewhere + "/events").statusCode();
        assertTrue(status >= 400 && status < 500, "another VPC's watch is refused: " + status);
        List<String> page = scrape();
        assertEquals(1, value(page, "http_server_requests_seconds_count", "method=\"POST\"",
                "uri=\"/api/vpcs/{id}/events\"", "status=\"" + status + "\""));
        assertTrue(page.stream().noneMatch(l -> l.contains(elsewhere)), "no raw path with a VPC id in a tag");
    }

    private static List<String> scrape() {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return Arrays.asList(body.split("\n"));
    }

    /** The sum of the samples of {@code name} whose labels contain every fragment; fails when there is none. */
    private static double value(List<String> page, String name, String... labels) {
        List<String> lines = page.stream().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> Arrays.stream(labels).allMatch(l::contains)).toList();
        if (lines.isEmpty()) {
            throw new AssertionError("no sample of " + name + " with " + Arrays.toString(labels) + " in:\n"
                    + String.join("\n", page.stream().filter(l -> l.startsWith(name.replaceAll("_(count|sum|bucket|total)$", ""))).toList()));
        }
        return lines.stream().mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}

package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * REST bodies of any size up to the limit arrive whole. RESTEasy Reactive handed a body
 * larger than its 10 KiB input buffer to the resource as NUL bytes when Quarkus's body handler had already
 * read it, which Funqy makes it do on every route: {@code POST /api/organizations} padded to 12,000 bytes was
 * {@code 400 Illegal character ((CTRL-CHAR, code 0))}, through Funqy it was fine. Every REST write route of the
 * route table gets the same answer to a body padded to 64 KiB and to just under 1 MiB as to the bare body; a
 * metadata value of either size and a security group with 64 KiB of rules are stored and read back byte for byte.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class LargeBodiesTest {

    static final int KIB_64 = 64 * 1024;
    /** Just under quarkus.http.limits.max-body-size (1M): the largest body a caller may send. */
    static final int JUST_UNDER_1_MIB = 1024 * 1024 - 64;

    /** A valid JSON document of exactly {@code size} bytes: {@code json} in UTF-8, followed by white space. */
    static byte[] padded(String json, int size) {
        byte[] utf8 = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(utf8.length <= size, "the document fits in " + size + " bytes");
        byte[] body = java.util.Arrays.copyOf(utf8, size);
        java.util.Arrays.fill(body, utf8.length, size, (byte) ' ');
        return body;
    }

    @Test
    void everyRestWriteRouteReadsAPaddedBodyWhole() throws Exception {
        String user = Nexd.user("large");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        int checked = 0;
        for (RouteTableTest.Row row : RouteTableTest.rows()) {
            if (!row.status().equals("live") || !List.of("POST", "PUT", "PATCH").contains(row.method())
                    || row.path().startsWith("/device/") || !row.path().startsWith("/api/")) {
                continue;
            }
            String path = row.path().replace("{key}", "some-key").replaceAll("\\{[a-z_]+}", vpc);
            // an unknown member: every route that reads an object names it, whatever else it would check
            String json = "{\"large_body_probe\":\"" + "p".repeat(40) + "\"}";
            Response bare = given().header("Authorization", bearer).contentType("application/json").body(json)
                    .request(row.method(), path);
            for (int size : new int[] { KIB_64, JUST_UNDER_1_MIB }) {
                Response big = given().header("Authorization", bearer).contentType("application/json")
                        .body(padded(json, size)).request(row.method(), path);
                assertFalse(big.asString().contains("CTRL-CHAR"), row.key() + " at " + size + " bytes: " + big.asString());
                assertEquals(bare.statusCode(), big.statusCode(), row.key() + " at " + size + " bytes: " + big.asString()
                        + " (bare: " + bare.asString() + ")");
                if (bare.contentType().startsWith("application/json") && bare.statusCode() >= 400) {
                    assertEquals(bare.jsonPath().getString("error"), big.jsonPath().getString("error"), row.key() + " at " + size);
                    assertEquals(bare.jsonPath().getString("field"), big.jsonPath().getString("field"), row.key() + " at " + size);
                }
            }
            checked++;
        }
        assertTrue(checked >= 15, "write routes checked: " + checked);
        System.out.printf("large-bodies: %d REST write routes read bodies of 64 KiB and just under 1 MiB whole%n", checked);
    }

    @Test
    void largeValuesRoundTripByteForByte() {
        String user = Nexd.user("large-values");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        Nexd agent = new Nexd();
        String device = agent.register(bearer, vpc, "").then().statusCode(201).extract().path("id");
        // a value near the metadata limit (64 KiB), with characters of two bytes in UTF-8 and escapes, sent bare
        // (a 64 KiB body) and padded to just under 1 MiB
        String value = "é\\\"ŵ-0123456789-".repeat(50_000 / 17);
        String json = "\"" + value + "\"";
        for (int size : new int[] { KIB_64, JUST_UNDER_1_MIB }) {
            String key = "k" + size;
            given().header("Authorization", bearer).contentType("application/json; charset=utf-8")
                    .body(padded(json, size))
                    .put("/api/devices/" + device + "/metadata/" + key).then().statusCode(200);
            String stored = given().header("Authorization", bearer).get("/api/devices/" + device + "/metadata/" + key)
                    .then().statusCode(200).extract().jsonPath().getString("value");
            assertEquals(value.replace("\\\"", "\""), stored, "a metadata value sent in a body of " + size + " bytes");
        }
        // a security group with 64 KiB of rules
        StringBuilder rules = new StringBuilder();
        int port = 1;
        while (rules.length() < KIB_64) {
            rules.append(rules.length() == 0 ? "" : ",").append("{\"ip_protocol\":\"tcp\",\"from_port\":").append(port)
                    .append(",\"to_port\":").append(port).append(",\"ip_ranges\":[\"10.1.").append(port % 250).append(".0/24\"]}");
            port++;
        }
        String id = given().header("Authorization", bearer).contentType("application/json")
                .body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"large\",\"inbound_rules\":[" + rules + "],\"outbound_rules\":[]}")
                .post("/api/security-groups").then().statusCode(201).extract().path("id");
        List<Integer> ports = given().header("Authorization", bearer).get("/api/security-groups/" + id)
                .then().statusCode(200).extract().jsonPath().getList("inbound_rules.from_port", Integer.class);
        assertEquals(port - 1, ports.size(), "every rule stored");
        for (int i = 0; i < ports.size(); i++) {
            assertEquals(i + 1, ports.get(i), "rule " + i + " in order");
        }
    }
}

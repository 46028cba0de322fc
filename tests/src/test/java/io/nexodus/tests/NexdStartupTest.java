package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/**
 * nexd's start-up (docs/upstream.md, "The calls nexd makes") against every function and the real IPAM
 * server: registration key → reg-keys/me → VPC → register → open the sealed device token → PATCH with
 * it; and a restart with the same key: 409 → PATCH, which hands the same token back.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class NexdStartupTest {

    @Test
    void startWithARegistrationKeyThenRestart() {
        String user = Nexd.user("alice");
        String vpc = Nexd.defaultVpc(user);
        String rk = "Bearer " + Nexd.regKey(user, vpc, "");
        Nexd agent = new Nexd();

        String keyVpc = given().header("Authorization", rk).get("/api/reg-keys/me")
                .then().statusCode(200).body("owner_id", equalTo(vpc)).extract().path("vpc_id");
        given().header("Authorization", rk).get("/api/vpcs/" + keyVpc)
                .then().statusCode(200).body("ipv4_cidr", equalTo("100.64.0.0/10")).body("ipv6_cidr", equalTo("200::/64"));

        JsonPath device = agent.register(rk, keyVpc, "").then().statusCode(201)
                .body("public_key", equalTo(agent.publicKey))
                .body("ipv4_tunnel_ips[0].cidr", equalTo("100.64.0.0/10"))
                .body("ipv6_tunnel_ips[0].cidr", equalTo("200::/64"))
                .body("ipv4_tunnel_ips[0].address", startsWith("100.64."))
                .body("security_group_id", equalTo(vpc))
                .body("owner_id", equalTo(vpc))
                .extract().jsonPath();
        String id = device.getString("id");
        String v4 = device.getString("ipv4_tunnel_ips[0].address");
        assertEquals(java.util.List.of(v4 + "/32", device.getString("ipv6_tunnel_ips[0].address") + "/128"),
                device.getList("allowed_ips"));
        String dt = agent.open(device.getString("bearer_token"));
        assertTrue(dt.startsWith("DT:"), "the sealed token is a device token");
        int revision = device.getInt("revision");

        // the device now speaks for itself: new endpoints from STUN
        given().header("Authorization", "Bearer " + dt).contentType(ContentType.JSON)
                .body("{\"endpoints\":[{\"source\":\"stun:stun1.l.google.com:19302\",\"address\":\"1.2.3.4:51820\"}],"
                        + "\"vpc_id\":\"" + keyVpc + "\"}")
                .patch("/api/devices/" + id)
                .then().statusCode(200)
                .body("endpoints[0].address", equalTo("1.2.3.4:51820"))
                .body("revision", org.hamcrest.Matchers.greaterThan(revision))
                .body("ipv4_tunnel_ips[0].address", equalTo(v4));
        given().header("Authorization", "Bearer " + dt).get("/api/devices/" + id)
                .then().statusCode(200).body("hostname", startsWith("host-"));

        // restart: nexd registers again with the same key, gets 409 with the id, and PATCHes
        agent.register(rk, keyVpc, "").then().statusCode(409)
                .body("error", equalTo("resource already exists")).body("id", equalTo(id));
        String again = given().header("Authorization", rk).contentType(ContentType.JSON)
                .body("{\"hostname\":\"renamed\"}").patch("/api/devices/" + id)
                .then().statusCode(200).body("hostname", equalTo("renamed")).extract().path("bearer_token");
        assertEquals(dt, agent.open(again), "the same device token, sealed afresh");

        // the owner sees the device among theirs
        given().header("Authorization", TestTokens.bearer(user)).get("/api/devices")
                .then().statusCode(200).body("id", hasItem(id));
    }

    @Test
    void startWithAUserToken() {
        String user = Nexd.user("bob");
        String vpc = Nexd.defaultVpc(user);
        Nexd agent = new Nexd();
        String sealed = agent.register(TestTokens.bearer(user), vpc,
                        ",\"ipv4_tunnel_ips\":[{\"address\":\"100.64.7.7\",\"cidr\":\"100.64.0.0/10\"}],\"relay\":true")
                .then().statusCode(201)
                .body("ipv4_tunnel_ips[0].address", equalTo("100.64.7.7"))
                .body("relay", equalTo(true))
                .body("allowed_ips[0]", equalTo("100.64.7.7"))
                .extract().path("bearer_token");
        assertTrue(agent.open(sealed).startsWith("DT:"));
        // the same address asked for again is taken: the next free one is given instead
        new Nexd().register(TestTokens.bearer(user), vpc,
                        ",\"ipv4_tunnel_ips\":[{\"address\":\"100.64.7.7\",\"cidr\":\"100.64.0.0/10\"}]")
                .then().statusCode(201)
                .body("ipv4_tunnel_ips[0].address", org.hamcrest.Matchers.not(equalTo("100.64.7.7")));
    }
}

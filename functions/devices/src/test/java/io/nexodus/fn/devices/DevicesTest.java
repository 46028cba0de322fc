package io.nexodus.fn.devices;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.shared.crypto.TokenSeal;
import io.nexodus.shared.ipam.IpamNamespaces;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestDeviceAddresses;
import io.nexodus.testing.TestDevices;
import io.nexodus.testing.TestIpam;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.TestUsers;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The devices function alone: a user's own devices (list, get, delete, token rotation, metadata) over REST and
 * its Funqy names, against a real PostgreSQL and the real IPAM server in the application under test. Devices
 * are registered by taking their addresses from that IPAM server and writing the row (TestDeviceAddresses), as
 * the register-device function does.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class DevicesTest {

    private static final String SHARED = IpamNamespaces.SHARED;

    @Inject
    Pool db;

    /** Provisions the user; the id is also their default VPC's. */
    private String provision(String user) {
        return TestUsers.provision(db, user, "/api/devices");
    }

    private JsonPath get(String bearer, String id) {
        return given().header("Authorization", bearer).get("/api/devices/" + id).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void theOwnerListsAndReadsTheirDevicesWithoutAnyToken() {
        String user = TestUsers.unique("alice");
        String vpc = provision(user);
        TestDevices.Seeded a = TestDeviceAddresses.register(db, vpc, vpc);
        TestDevices.Seeded b = TestDeviceAddresses.register(db, vpc, vpc);
        // someone else's device is not in the list
        String other = provision(TestUsers.unique("bob"));
        TestDevices.Seeded theirs = TestDeviceAddresses.register(db, other, other);

        given().header("Authorization", TestTokens.bearer(user)).get("/api/devices")
                .then().statusCode(200).header("X-Total-Count", "2").body("id", containsInAnyOrder(a.id(), b.id()))
                .body("bearer_token", everyItem(nullValue()));
        given().header("Authorization", TestTokens.bearer(user)).get("/api/devices/" + a.id())
                .then().statusCode(200).body("id", equalTo(a.id())).body("public_key", equalTo(a.publicKey()))
                .body("vpc_id", equalTo(vpc)).body("bearer_token", nullValue());
        given().header("Authorization", TestTokens.bearer(user)).get("/api/devices/" + theirs.id())
                .then().statusCode(404).body("resource", equalTo("device"));
        // the same through the Funqy names
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON).body("{}")
                .post("/list-devices").then().statusCode(200).body("id", containsInAnyOrder(a.id(), b.id()));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + b.id() + "\"}").post("/get-device").then().statusCode(200).body("id", equalTo(b.id()));
    }

    @Test
    void deletingADeviceGivesItsAddressesAndPrefixesBackToIpam() {
        String user = TestUsers.unique("carol");
        String vpc = provision(user);
        TestDevices.Seeded device = TestDeviceAddresses.register(db, vpc, vpc, List.of("10.20.0.0/24"), false);
        TestDevices.Seeded kept = TestDeviceAddresses.register(db, vpc, vpc);
        JsonPath before = get(TestTokens.bearer(user), device.id());
        String v4 = before.getString("ipv4_tunnel_ips[0].address");
        String v6 = before.getString("ipv6_tunnel_ips[0].address");
        assertTrue(TestIpam.holdsAddress(db, SHARED, v4) && TestIpam.holdsAddress(db, SHARED, v6));
        assertTrue(TestIpam.holdsPrefix(db, SHARED, "10.20.0.0/24"));

        given().header("Authorization", TestTokens.bearer(user)).delete("/api/devices/" + device.id())
                .then().statusCode(200).body("id", equalTo(device.id())).body("bearer_token", nullValue());
        given().header("Authorization", TestTokens.bearer(user)).get("/api/devices/" + device.id())
                .then().statusCode(404).body("resource", equalTo("device"));
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM devices WHERE id = $1 AND deleted_at IS NOT NULL",
                UUID.fromString(device.id())), "a soft delete: watchers see it as a tombstone");
        assertFalse(TestIpam.holdsAddress(db, SHARED, v4), "the IPv4 address is back in the pool");
        assertFalse(TestIpam.holdsAddress(db, SHARED, v6), "the IPv6 address is back in the pool");
        assertFalse(TestIpam.holdsPrefix(db, SHARED, "10.20.0.0/24"), "the advertised prefix is back");
        // the other device keeps its addresses, and the deleted device's token no longer works
        JsonPath other = get(TestTokens.bearer(user), kept.id());
        assertTrue(TestIpam.holdsAddress(db, SHARED, other.getString("ipv4_tunnel_ips[0].address")));
        given().header("Authorization", device.bearer()).get("/api/devices/" + device.id()).then().statusCode(401);
    }

    @Test
    void anotherTenantGets404AndChangesNothing() {
        String owner = TestUsers.unique("dave");
        String stranger = TestTokens.bearer(TestUsers.unique("mallory"));
        String vpc = provision(owner);
        TestDevices.Seeded device = TestDeviceAddresses.register(db, vpc, vpc);
        given().header("Authorization", TestTokens.bearer(owner)).contentType(ContentType.JSON).body("{\"mtu\":1420}")
                .put("/api/devices/" + device.id() + "/metadata/tuning").then().statusCode(200);
        String v4 = get(TestTokens.bearer(owner), device.id()).getString("ipv4_tunnel_ips[0].address");

        given().header("Authorization", stranger).get("/api/devices/" + device.id()).then().statusCode(404)
                .body("resource", equalTo("device"));
        given().header("Authorization", stranger).get("/api/devices").then().statusCode(200).body("id", not(hasItem(device.id())));
        given().header("Authorization", stranger).delete("/api/devices/" + device.id()).then().statusCode(404);
        given().header("Authorization", stranger).contentType(ContentType.JSON).body("{\"id\":\"" + device.id() + "\"}")
                .post("/delete-device").then().statusCode(404);
        given().header("Authorization", stranger).post("/api/devices/" + device.id() + "/token").then().statusCode(404);
        given().header("Authorization", stranger).get("/api/devices/" + device.id() + "/metadata/tuning").then().statusCode(404);
        given().header("Authorization", stranger).delete("/api/devices/" + device.id() + "/metadata").then().statusCode(404);

        get(TestTokens.bearer(owner), device.id());
        assertTrue(TestIpam.holdsAddress(db, SHARED, v4), "the device keeps its address");
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/devices/" + device.id() + "/metadata/tuning")
                .then().statusCode(200).body("value.mtu", equalTo(1420));
    }

    @Test
    void aDeviceTokenSeesOnlyItsOwnDeviceAndCannotDelete() {
        String user = TestUsers.unique("erin");
        String vpc = provision(user);
        TestDevices.Seeded self = TestDeviceAddresses.register(db, vpc, vpc);
        TestDevices.Seeded sibling = TestDeviceAddresses.register(db, vpc, vpc);
        given().header("Authorization", self.bearer()).get("/api/devices")
                .then().statusCode(200).header("X-Total-Count", "1").body("id", equalTo(List.of(self.id())));
        given().header("Authorization", self.bearer()).get("/api/devices/" + self.id()).then().statusCode(200);
        given().header("Authorization", self.bearer()).get("/api/devices/" + sibling.id()).then().statusCode(403);
        given().header("Authorization", self.bearer()).delete("/api/devices/" + self.id()).then().statusCode(403);
        // nor mint its own successor
        given().header("Authorization", self.bearer()).post("/api/devices/" + self.id() + "/token").then().statusCode(403);
        assertEquals(2, TestDb.count(db, "SELECT count(*) FROM devices WHERE owner_id = $1 AND deleted_at IS NULL",
                UUID.fromString(vpc)));
    }

    @Test
    void aReadOnlyTokenReadsButCannotDelete() {
        String user = TestUsers.unique("frank");
        String vpc = provision(user);
        TestDevices.Seeded device = TestDeviceAddresses.register(db, vpc, vpc);
        String readOnly = TestTokens.readOnlyBearer(user);
        given().header("Authorization", readOnly).get("/api/devices/" + device.id()).then().statusCode(200);
        given().header("Authorization", readOnly).delete("/api/devices/" + device.id()).then().statusCode(403)
                .body("field", equalTo("scope")).body("reason", equalTo("missing scope write:devices"));
        given().header("Authorization", readOnly).contentType(ContentType.JSON).body("{\"id\":\"" + device.id() + "\"}")
                .post("/delete-device").then().statusCode(403).body("reason", equalTo("missing scope write:devices"));
        get(TestTokens.bearer(user), device.id());
    }

    @Test
    void rotatingTheTokenRefusesTheOldOneAndAnswersTheNewOneSealed() throws Exception {
        String user = TestUsers.unique("grace");
        String vpc = provision(user);
        TestDevices.Seeded device = TestDeviceAddresses.register(db, vpc, vpc);
        String sealed = given().header("Authorization", TestTokens.bearer(user)).post("/api/devices/" + device.id() + "/token")
                .then().statusCode(200).body("id", equalTo(device.id())).extract().path("bearer_token");
        String fresh = TokenSeal.openV1(sealed, device.publicKey());
        assertNotEquals(device.token(), fresh);
        given().header("Authorization", device.bearer()).get("/api/devices/" + device.id()).then().statusCode(401);
        given().header("Authorization", "Bearer " + fresh).get("/api/devices/" + device.id()).then().statusCode(200);
    }

    @Test
    void metadataIsKeptPerDeviceAndReadPerVpc() {
        String user = TestUsers.unique("heidi");
        String vpc = provision(user);
        TestDevices.Seeded device = TestDeviceAddresses.register(db, vpc, vpc);
        String bearer = TestTokens.bearer(user);
        given().header("Authorization", bearer).contentType(ContentType.JSON).body("{\"mtu\":1420}")
                .put("/api/devices/" + device.id() + "/metadata/net.tuning").then().statusCode(200)
                .body("device_id", equalTo(device.id())).body("key", equalTo("net.tuning")).body("value.mtu", equalTo(1420));
        // the device itself may write its own metadata
        given().header("Authorization", device.bearer()).contentType(ContentType.JSON).body("\"eu-west\"")
                .put("/api/devices/" + device.id() + "/metadata/region").then().statusCode(200);
        given().header("Authorization", bearer).queryParam("prefix", "net.").get("/api/devices/" + device.id() + "/metadata")
                .then().statusCode(200).body("key", equalTo(List.of("net.tuning")));
        given().header("Authorization", bearer).queryParam("key", "region").get("/api/vpcs/" + vpc + "/metadata")
                .then().statusCode(200).body("value", equalTo(List.of("eu-west")));
        given().header("Authorization", bearer).delete("/api/devices/" + device.id() + "/metadata/region").then().statusCode(204);
        given().header("Authorization", bearer).get("/api/devices/" + device.id() + "/metadata/region").then().statusCode(404)
                .body("resource", equalTo("device metadata"));
        given().header("Authorization", bearer).get("/api/devices/" + device.id() + "/metadata")
                .then().statusCode(200).body("key", equalTo(List.of("net.tuning")));
    }
}

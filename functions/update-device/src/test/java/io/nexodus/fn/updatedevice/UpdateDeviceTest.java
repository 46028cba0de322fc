package io.nexodus.fn.updatedevice;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.shared.crypto.TokenSeal;
import io.nexodus.shared.ipam.IpamNamespaces;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDeviceAddresses;
import io.nexodus.testing.TestDevices;
import io.nexodus.testing.TestIpam;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.TestUsers;
import io.nexodus.testing.TestVpcs;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The update-device function alone ({@code PATCH /api/devices/{id}} and its Funqy name) against a real
 * PostgreSQL and the real IPAM server in the application under test. Devices are registered by taking their
 * addresses from that IPAM server and writing the row (TestDeviceAddresses), as register-device does.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class UpdateDeviceTest {

    private static final String SHARED = IpamNamespaces.SHARED;

    @Inject
    Pool db;

    /**
     * Provisions the user by a first request (this function has no GET route: a PATCH of a device that does not
     * exist is a 404, and provisions its caller all the same); their id is also their default VPC's.
     */
    private String provision(String user) {
        patch(TestTokens.bearer(user), UUID.randomUUID().toString(), "{\"hostname\":\"x\"}").statusCode(404)
                .body("resource", equalTo("device"));
        return TestUsers.idOf(db, user);
    }

    private static ValidatableResponse patch(String bearer, String id, String body) {
        return given().header("Authorization", bearer).contentType(ContentType.JSON).body(body)
                .patch("/api/devices/" + id).then();
    }

    private Row row(String id) {
        return db.preparedQuery("SELECT hostname, revision, endpoints::text, last_seen_at FROM devices WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().indefinitely().iterator().next();
    }

    @Test
    void anAgentsPatchChangesEndpointsAndHostnameAndAdvancesTheRevision() {
        String user = TestUsers.unique("alice");
        String vpc = provision(user);
        TestDevices.Seeded device = TestDeviceAddresses.register(db, vpc, vpc);
        Row before = row(device.id());

        JsonPath after = patch(device.bearer(), device.id(),
                "{\"hostname\":\"renamed\",\"endpoints\":[{\"source\":\"stun\",\"address\":\"9.9.9.9:51820\"}],\"symmetric_nat\":true}")
                .statusCode(200).body("id", equalTo(device.id())).body("hostname", equalTo("renamed"))
                .body("endpoints[0].source", equalTo("stun")).body("endpoints[0].address", equalTo("9.9.9.9:51820"))
                .body("symmetric_nat", equalTo(true)).extract().jsonPath();
        assertTrue(after.getLong("revision") > before.getInteger("revision"), "a write bumps the revision");
        Row stored = row(device.id());
        assertEquals("renamed", stored.getString("hostname"));
        assertEquals(after.getLong("revision"), stored.getInteger("revision").longValue());
        assertTrue(stored.getString("endpoints").contains("9.9.9.9:51820"));
        assertTrue(stored.getOffsetDateTime("last_seen_at").isAfter(before.getOffsetDateTime("last_seen_at")),
                "a PATCH is a sign of life");

        // an empty hostname or endpoint list is "no change"
        patch(device.bearer(), device.id(), "{\"hostname\":\"\",\"endpoints\":[]}").statusCode(200)
                .body("hostname", equalTo("renamed")).body("endpoints[0].address", equalTo("9.9.9.9:51820"));
    }

    @Test
    void thePatchAnswerCarriesTheDevicesTokenSealedForIt() throws Exception {
        // nexd's restart path: register → 409 with the id → this PATCH, from whose answer it reads its token again
        String user = TestUsers.unique("bob");
        String vpc = provision(user);
        TestDevices.Seeded device = TestDeviceAddresses.register(db, vpc, vpc);
        String sealed = patch(TestTokens.bearer(user), device.id(), "{\"hostname\":\"restarted\"}").statusCode(200)
                .extract().path("bearer_token");
        assertEquals(device.token(), TokenSeal.openV1(sealed, device.publicKey()));
        String own = patch(device.bearer(), device.id(), "{}").statusCode(200).extract().path("bearer_token");
        assertEquals(device.token(), TokenSeal.openV1(own, device.publicKey()));
    }

    @Test
    void aDeviceTokenUpdatesOnlyItsOwnDeviceAndAnotherTenantGets404() {
        String user = TestUsers.unique("carol");
        String vpc = provision(user);
        TestDevices.Seeded self = TestDeviceAddresses.register(db, vpc, vpc);
        TestDevices.Seeded sibling = TestDeviceAddresses.register(db, vpc, vpc);
        String stranger = TestUsers.unique("mallory");
        String strangersVpc = provision(stranger);
        TestDevices.Seeded strangersDevice = TestDeviceAddresses.register(db, strangersVpc, strangersVpc);
        int siblingRevision = row(sibling.id()).getInteger("revision");

        patch(self.bearer(), sibling.id(), "{\"hostname\":\"hijacked\"}").statusCode(403).body("error", equalTo("forbidden"));
        patch(strangersDevice.bearer(), sibling.id(), "{\"hostname\":\"hijacked\"}").statusCode(404)
                .body("resource", equalTo("device"));
        patch(TestTokens.bearer(stranger), sibling.id(), "{\"hostname\":\"hijacked\"}").statusCode(404)
                .body("resource", equalTo("device"));
        assertEquals(siblingRevision, row(sibling.id()).getInteger("revision"), "nothing written");
        assertFalse(row(sibling.id()).getString("hostname").equals("hijacked"));
        patch(self.bearer(), self.id(), "{\"hostname\":\"mine\"}").statusCode(200).body("hostname", equalTo("mine"));
    }

    @Test
    void aReadOnlyTokenCannotUpdate() {
        String user = TestUsers.unique("dave");
        String vpc = provision(user);
        TestDevices.Seeded device = TestDeviceAddresses.register(db, vpc, vpc);
        int revision = row(device.id()).getInteger("revision");
        patch(TestTokens.readOnlyBearer(user), device.id(), "{\"hostname\":\"x\"}").statusCode(403)
                .body("field", equalTo("scope")).body("reason", equalTo("missing scope write:devices"));
        given().header("Authorization", TestTokens.readOnlyBearer(user)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + device.id() + "\",\"hostname\":\"x\"}").post("/update-device")
                .then().statusCode(403).body("reason", equalTo("missing scope write:devices"));
        assertEquals(revision, row(device.id()).getInteger("revision"));
    }

    @Test
    void advertisedPrefixesFollowTheUpdateInIpam() {
        String user = TestUsers.unique("erin");
        String vpc = provision(user);
        TestDevices.Seeded device = TestDeviceAddresses.register(db, vpc, vpc, List.of("10.30.0.0/24"), false);
        patch(device.bearer(), device.id(), "{\"advertise_cidrs\":[\"10.31.0.0/24\",\"0.0.0.0/0\"]}").statusCode(200)
                .body("advertise_cidrs", equalTo(List.of("10.31.0.0/24", "0.0.0.0/0")));
        assertFalse(TestIpam.holdsPrefix(db, SHARED, "10.30.0.0/24"), "the dropped prefix is given back");
        assertTrue(TestIpam.holdsPrefix(db, SHARED, "10.31.0.0/24"), "the new one is taken");
        assertFalse(TestIpam.holdsPrefix(db, SHARED, "0.0.0.0/0"), "a default route is not registered");

        // a prefix IPAM refuses (it overlaps another device's) changes nothing
        TestDeviceAddresses.register(db, vpc, vpc, List.of("10.40.0.0/16"), false);
        int revision = row(device.id()).getInteger("revision");
        patch(device.bearer(), device.id(), "{\"advertise_cidrs\":[\"10.31.0.0/24\",\"10.41.0.0/24\",\"10.40.1.0/24\"]}")
                .statusCode(400).body("field", equalTo("advertise_cidrs"));
        assertEquals(revision, row(device.id()).getInteger("revision"));
        assertFalse(TestIpam.holdsPrefix(db, SHARED, "10.41.0.0/24"), "what was taken before the refusal is given back");
        assertTrue(TestIpam.holdsPrefix(db, SHARED, "10.31.0.0/24"), "what the device holds stays");
    }

    @Test
    void movingToAnotherVpcTakesAddressesThereAndGivesTheOldOnesBack() {
        String user = TestUsers.unique("frank");
        String vpc = provision(user);
        TestDevices.Seeded device = TestDeviceAddresses.register(db, vpc, vpc);
        JsonPath before = patch(device.bearer(), device.id(), "{}").statusCode(200).extract().jsonPath();
        String oldV4 = before.getString("ipv4_tunnel_ips[0].address");
        String oldV6 = before.getString("ipv6_tunnel_ips[0].address");
        // a private VPC of the same organization (its IPAM namespace is made on first use)
        UUID target = UUID.fromString(TestVpcs.insertPrivate(db, vpc, "10.61.0.0/24", "fd61::/64"));

        // only the owner may move it
        patch(device.bearer(), device.id(), "{\"vpc_id\":\"" + target + "\"}").statusCode(400).body("field", equalTo("vpc_id"));
        String v4 = patch(TestTokens.bearer(user), device.id(), "{\"vpc_id\":\"" + target + "\"}").statusCode(200)
                .body("vpc_id", equalTo(target.toString())).body("ipv4_tunnel_ips[0].address", startsWith("10.61.0."))
                .body("ipv6_tunnel_ips[0].address", startsWith("fd61::")).extract().path("ipv4_tunnel_ips[0].address");
        assertTrue(TestIpam.holdsAddress(db, IpamNamespaces.of(target), v4), "taken in the target VPC");
        assertFalse(TestIpam.holdsAddress(db, SHARED, oldV4), "the old IPv4 address is given back");
        assertFalse(TestIpam.holdsAddress(db, SHARED, oldV6), "the old IPv6 address is given back");
    }

    @Test
    void badInputIsA400NamingTheFieldAndChangesNothing() {
        String user = TestUsers.unique("grace");
        String vpc = provision(user);
        TestDevices.Seeded device = TestDeviceAddresses.register(db, vpc, vpc);
        int revision = row(device.id()).getInteger("revision");
        String bearer = TestTokens.bearer(user);
        patch(bearer, device.id(), "{\"endpoints\":[{\"source\":\"stun\",\"address\":\"nowhere\"}]}").statusCode(400)
                .body("field", equalTo("endpoints[0].address"));
        patch(bearer, device.id(), "{\"advertise_cidrs\":[\"10.0.0.0/33\"]}").statusCode(400)
                .body("field", equalTo("advertise_cidrs[0]"));
        patch(bearer, device.id(), "{\"security_group_id\":\"not-a-uuid\"}").statusCode(400)
                .body("field", equalTo("security_group_id"));
        patch(bearer, device.id(), "{\"security_group_id\":\"" + UUID.randomUUID() + "\"}").statusCode(404)
                .body("resource", equalTo("security_group_id"));
        patch(bearer, device.id(), "{\"relay\":\"yes\"}").statusCode(400).body("field", equalTo("relay"));
        patch(bearer, device.id(), "{\"colour\":\"red\"}").statusCode(400).body("field", equalTo("colour"));
        patch(bearer, device.id(), "{\"id\":\"" + UUID.randomUUID() + "\"}").statusCode(400).body("field", equalTo("id"));
        patch(bearer, "not-a-uuid", "{}").statusCode(400).body("field", equalTo("id"));
        assertEquals(revision, row(device.id()).getInteger("revision"));
    }

    @Test
    void theFunqyNameUpdatesToo() {
        String user = TestUsers.unique("heidi");
        String vpc = provision(user);
        TestDevices.Seeded device = TestDeviceAddresses.register(db, vpc, vpc);
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + device.id() + "\",\"hostname\":\"funqy\"}").post("/update-device")
                .then().statusCode(200).body("hostname", equalTo("funqy"));
        assertEquals("funqy", row(device.id()).getString("hostname"));
    }
}

package io.nexodus.fn.registerdevice;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.shared.crypto.BearerTokens;
import io.nexodus.shared.crypto.TokenSeal;
import io.nexodus.shared.ipam.IpamNamespaces;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestDevices;
import io.nexodus.testing.TestIpam;
import io.nexodus.testing.TestRegKeys;
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
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The register-device function alone ({@code POST /api/devices} and its Funqy name) against a real
 * PostgreSQL and the real IPAM server running in the application under test: what a registration takes from
 * IPAM, what it stores, and every refusal leaving IPAM as it was. Registration keys, which the reg-keys
 * function makes, are written directly.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RegisterDeviceTest {

    private static final String SHARED = IpamNamespaces.SHARED;

    @Inject
    Pool db;

    /**
     * Provisions the user by a first request (this function has no GET route: an empty registration is a 400,
     * and provisions its caller all the same); their id is also their default VPC's.
     */
    private String provision(String user) {
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON).body("{}")
                .post("/api/devices").then().statusCode(400);
        return TestUsers.idOf(db, user);
    }

    private static ValidatableResponse register(String bearer, String vpc, String publicKey, String extraJson) {
        return given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\"" + publicKey + "\",\"hostname\":\"laptop\",\"os\":\"linux\","
                        + "\"endpoints\":[{\"source\":\"local\",\"address\":\"172.17.0.3:51820\"}]" + extraJson + "}")
                .post("/api/devices").then();
    }

    private long devices(String owner) {
        return TestDb.count(db, "SELECT count(*) FROM devices WHERE owner_id = $1", UUID.fromString(owner));
    }

    @Test
    void aUserRegistersADeviceWithAddressesFromIpamAndGetsItsTokenSealedForTheDevice() {
        String user = TestUsers.unique("alice");
        String vpc = provision(user);
        String publicKey = TestDevices.newPublicKey();
        JsonPath device = register(TestTokens.bearer(user), vpc, publicKey, "").statusCode(201)
                .body("vpc_id", equalTo(vpc)).body("owner_id", equalTo(vpc)).body("public_key", equalTo(publicKey))
                .body("hostname", equalTo("laptop")).body("endpoints[0].address", equalTo("172.17.0.3:51820"))
                .body("ipv4_tunnel_ips[0].cidr", equalTo("100.64.0.0/10")).body("ipv6_tunnel_ips[0].cidr", equalTo("200::/64"))
                .body("security_group_id", equalTo(vpc)).body("bearer_token", notNullValue())
                .extract().jsonPath();
        String v4 = device.getString("ipv4_tunnel_ips[0].address");
        String v6 = device.getString("ipv6_tunnel_ips[0].address");
        assertEquals(List.of(v4 + "/32", v6 + "/128"), device.getList("allowed_ips"));
        assertTrue(TestIpam.holdsAddress(db, SHARED, v4), "IPAM handed out " + v4);
        assertTrue(TestIpam.holdsAddress(db, SHARED, v6), "IPAM handed out " + v6);

        // the token opens with the device's key (as nexd opens it) and is the one the row is found by
        String token = open(device.getString("bearer_token"), publicKey);
        assertTrue(token.startsWith("DT:"), token);
        byte[] stored = db.preparedQuery("SELECT token_hash FROM devices WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(device.getString("id")))).await().indefinitely()
                .iterator().next().getBuffer(0).getBytes();
        assertArrayEquals(BearerTokens.hash(token), stored);
    }

    @Test
    void aKnownPublicKeyIs409WithTheExistingDeviceAndTakesNothing() {
        String user = TestUsers.unique("bob");
        String vpc = provision(user);
        String publicKey = TestDevices.newPublicKey();
        String id = register(TestTokens.bearer(user), vpc, publicKey, "").statusCode(201).extract().path("id");
        long allocated = TestIpam.addresses(db);
        // nexd's restart: it registers again with its key, learns its id from the 409, then PATCHes (update-device)
        register(TestTokens.bearer(user), vpc, publicKey, "").statusCode(409)
                .body("error", equalTo("resource already exists")).body("id", equalTo(id));
        assertEquals(allocated, TestIpam.addresses(db), "no address taken for the refused registration");
        assertEquals(1, devices(vpc));
    }

    @Test
    void aRegistrationKeyRegistersIntoItsOwnVpcAndASingleUseKeyOnlyOnce() {
        String user = TestUsers.unique("carol");
        String vpc = provision(user);
        TestRegKeys.Key key = TestRegKeys.insert(db, vpc, vpc, true);
        UUID keysDevice = db.preparedQuery("SELECT device_id FROM reg_keys WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(key.id()))).await().indefinitely().iterator().next().getUUID(0);

        String publicKey = TestDevices.newPublicKey();
        String id = register(key.bearer(), vpc, publicKey, "").statusCode(201).body("owner_id", equalTo(vpc))
                .body("bearer_token", notNullValue()).extract().path("id");
        assertEquals(keysDevice.toString(), id, "a single-use key's device gets the id the key fixed");
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM devices WHERE id = $1 AND reg_key_id = $2",
                UUID.fromString(id), UUID.fromString(key.id())));
        assertEquals(1, TestDb.count(db, "SELECT uses FROM reg_keys WHERE id = $1", UUID.fromString(key.id())));

        long allocated = TestIpam.addresses(db);
        register(key.bearer(), vpc, TestDevices.newPublicKey(), "").statusCode(400)
                .body("error", equalTo("single use reg key exhausted"));
        assertEquals(allocated, TestIpam.addresses(db), "the spent key took no address");
        assertEquals(1, devices(vpc));

        // a key registers into its own VPC only, not into another VPC of its owner
        String secondVpc = TestVpcs.insertPrivate(db, vpc, "10.62.0.0/24", "fd62::/64");
        TestRegKeys.Key multi = TestRegKeys.insert(db, vpc, vpc);
        register(multi.bearer(), secondVpc, TestDevices.newPublicKey(), "").statusCode(400)
                .body("error", equalTo("does not match the reg key vpc_id")).body("field", equalTo("vpc_id"));
        register(multi.bearer(), vpc, TestDevices.newPublicKey(), "").statusCode(201);
        register(multi.bearer(), vpc, TestDevices.newPublicKey(), "").statusCode(201);
        assertEquals(3, devices(vpc));
    }

    @Test
    void aRequestedAddressIsHonouredWhenFreeAndAdvertisedPrefixesAreTakenButNotDefaultRoutes() {
        String user = TestUsers.unique("erin");
        String vpc = provision(user);
        String bearer = TestTokens.bearer(user);
        register(bearer, vpc, TestDevices.newPublicKey(),
                ",\"ipv4_tunnel_ips\":[{\"address\":\"100.64.7.7\"}],\"advertise_cidrs\":[\"10.20.0.0/24\",\"0.0.0.0/0\"]")
                .statusCode(201).body("ipv4_tunnel_ips[0].address", equalTo("100.64.7.7"))
                .body("advertise_cidrs", equalTo(List.of("10.20.0.0/24", "0.0.0.0/0")));
        assertTrue(TestIpam.holdsPrefix(db, SHARED, "10.20.0.0/24"));
        assertFalse(TestIpam.holdsPrefix(db, SHARED, "0.0.0.0/0"), "a default route is not registered");
        // taken already: another address
        String second = register(bearer, vpc, TestDevices.newPublicKey(), ",\"ipv4_tunnel_ips\":[{\"address\":\"100.64.7.7\"}]")
                .statusCode(201).extract().path("ipv4_tunnel_ips[0].address");
        assertNotEquals("100.64.7.7", second);
    }

    @Test
    void aRegistrationRefusedByIpamHalfWayGivesBackWhatItTook() {
        String user = TestUsers.unique("frank");
        String vpc = provision(user);
        String bearer = TestTokens.bearer(user);
        register(bearer, vpc, TestDevices.newPublicKey(), ",\"advertise_cidrs\":[\"10.99.0.0/16\"]").statusCode(201);
        long allocated = TestIpam.addresses(db);
        String publicKey = TestDevices.newPublicKey();
        // both addresses and the first prefix are taken, then IPAM refuses the overlapping second prefix
        register(bearer, vpc, publicKey, ",\"advertise_cidrs\":[\"192.168.50.0/24\",\"10.99.1.0/24\"]").statusCode(400)
                .body("field", equalTo("advertise_cidrs"));
        assertEquals(allocated, TestIpam.addresses(db), "both addresses given back");
        assertFalse(TestIpam.holdsPrefix(db, SHARED, "192.168.50.0/24"), "the prefix taken before the refusal too");
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM devices WHERE public_key = $1", publicKey));
    }

    @Test
    void aDeviceOfAPrivateVpcGetsAddressesFromItsOwnPrefixes() {
        String user = TestUsers.unique("grace");
        String org = provision(user);
        // its IPAM namespace is made on its first registration
        UUID vpc = UUID.fromString(TestVpcs.insertPrivate(db, org, "10.60.0.0/24", "fd60::/64"));
        String v4 = register(TestTokens.bearer(user), vpc.toString(), TestDevices.newPublicKey(), "").statusCode(201)
                .body("ipv4_tunnel_ips[0].address", startsWith("10.60.0.")).body("ipv6_tunnel_ips[0].address", startsWith("fd60::"))
                .extract().path("ipv4_tunnel_ips[0].address");
        assertTrue(TestIpam.holdsAddress(db, IpamNamespaces.of(vpc), v4), "from the VPC's own namespace");
        assertFalse(TestIpam.holdsAddress(db, SHARED, v4));
    }

    @Test
    void badInputIsA400NamingTheFieldAndTakesNothing() {
        String user = TestUsers.unique("heidi");
        String vpc = provision(user);
        String bearer = TestTokens.bearer(user);
        String key = TestDevices.newPublicKey();
        long allocated = TestIpam.addresses(db);
        given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\"not-a-key\"}").post("/api/devices")
                .then().statusCode(400).body("field", equalTo("public_key"));
        given().header("Authorization", bearer).contentType(ContentType.JSON).body("{\"vpc_id\":\"" + vpc + "\"}")
                .post("/api/devices").then().statusCode(400).body("field", equalTo("public_key"));
        given().header("Authorization", bearer).contentType(ContentType.JSON).body("{\"public_key\":\"" + key + "\"}")
                .post("/api/devices").then().statusCode(400).body("field", equalTo("vpc_id"));
        register(bearer, vpc, key, ",\"advertise_cidrs\":[\"10.0.0.0/33\"]").statusCode(400)
                .body("field", equalTo("advertise_cidrs[0]"));
        register(bearer, vpc, key, ",\"ipv4_tunnel_ips\":[{\"address\":\"100.64.0.9\"},{\"address\":\"100.64.0.10\"}]")
                .statusCode(400).body("field", equalTo("ipv4_tunnel_ips"));
        register(bearer, vpc, key, ",\"relay\":\"yes\"").statusCode(400).body("field", equalTo("relay"));
        register(bearer, vpc, key, ",\"colour\":\"red\"").statusCode(400).body("field", equalTo("colour"));
        given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\"" + key + "\",\"endpoints\":[{\"source\":\"local\","
                        + "\"address\":\"nowhere\"}]}")
                .post("/api/devices").then().statusCode(400).body("field", equalTo("endpoints[0].address"));
        assertEquals(0, devices(vpc));
        assertEquals(allocated, TestIpam.addresses(db), "nothing taken from IPAM");
    }

    @Test
    void anotherTenantsVpcIs404AndAReadOnlyTokenIs403() {
        String owner = TestUsers.unique("ivan");
        String stranger = TestUsers.unique("mallory");
        String vpc = provision(owner);
        provision(stranger);
        long allocated = TestIpam.addresses(db);
        register(TestTokens.bearer(stranger), vpc, TestDevices.newPublicKey(), "").statusCode(404)
                .body("resource", equalTo("vpc"));
        register(TestTokens.readOnlyBearer(owner), vpc, TestDevices.newPublicKey(), "").statusCode(403)
                .body("field", equalTo("scope")).body("reason", equalTo("missing scope write:devices"));
        assertEquals(0, devices(vpc));
        assertEquals(allocated, TestIpam.addresses(db), "nothing taken from IPAM");
    }

    @Test
    void theFunqyNameRegistersToo() {
        String user = TestUsers.unique("judy");
        String vpc = provision(user);
        String publicKey = TestDevices.newPublicKey();
        String v4 = given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\"" + publicKey + "\"}").post("/register-device")
                .then().statusCode(200).body("public_key", equalTo(publicKey)).extract().path("ipv4_tunnel_ips[0].address");
        assertTrue(TestIpam.holdsAddress(db, SHARED, v4));
        assertEquals(1, devices(vpc));
    }

    private static String open(String sealed, String publicKey) {
        try {
            return TokenSeal.openV1(sealed, publicKey);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError("the device token does not open with the device's key", e);
        }
    }
}

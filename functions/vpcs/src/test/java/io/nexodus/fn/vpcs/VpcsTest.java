package io.nexodus.fn.vpcs;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.shared.ipam.IpamNamespaces;
import io.nexodus.shared.model.TunnelIp;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestDevices;
import io.nexodus.testing.TestIpam;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.TestUsers;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The vpcs function alone, over REST and its Funqy names, against a real PostgreSQL and the real IPAM
 * server running in the application under test. Every user owns a personal organization and default VPC
 * (both with the user's id) from first contact; devices, which this function only counts, are written
 * directly.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class VpcsTest {

    @Inject
    Pool db;

    /** Provisions the user; the id is also their organization's and default VPC's. */
    private String provision(String user) {
        return TestUsers.provision(db, user, "/api/vpcs");
    }

    private static ValidatableResponse create(String user, String body) {
        return given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON).body(body)
                .post("/api/vpcs").then();
    }

    private static String privateVpc(String org, String ipv4, String ipv6) {
        return "{\"organization_id\":\"" + org + "\",\"description\":\"private\",\"private_cidr\":true,\"ipv4_cidr\":\""
                + ipv4 + "\",\"ipv6_cidr\":\"" + ipv6 + "\"}";
    }

    private long count(String sql, Object... args) {
        return TestDb.count(db, sql, args);
    }

    @Test
    void aVpcWithoutPrivateCidrUsesTheSharedAddressSpaceAndGetsItsDefaultGroup() {
        String user = TestUsers.unique("alice");
        String org = provision(user);
        String id = create(user, "{\"organization_id\":\"" + org + "\",\"description\":\"lab\"}")
                .statusCode(201).body("organization_id", equalTo(org)).body("description", equalTo("lab"))
                .body("private_cidr", equalTo(false))
                .body("ipv4_cidr", equalTo("100.64.0.0/10")).body("ipv6_cidr", equalTo("200::/64"))
                .extract().path("id");
        assertEquals(1, count("SELECT count(*) FROM vpcs WHERE id = $1 AND organization_id = $2 AND NOT private_cidr",
                UUID.fromString(id), UUID.fromString(org)));
        assertEquals(1, count("SELECT count(*) FROM security_groups WHERE id = $1 AND vpc_id = $1 AND deleted_at IS NULL",
                UUID.fromString(id)), "its default security group has the VPC's id");
        assertFalse(TestIpam.hasNamespace(db, IpamNamespaces.of(UUID.fromString(id))), "no namespace of its own");

        given().header("Authorization", TestTokens.bearer(user)).get("/api/vpcs/" + id)
                .then().statusCode(200).body("id", equalTo(id)).body("description", equalTo("lab"));
        given().header("Authorization", TestTokens.bearer(user)).get("/api/vpcs")
                .then().statusCode(200).header("X-Total-Count", "2").body("id", containsInAnyOrder(org, id));
        // the owner renames it: a new revision
        int revision = given().header("Authorization", TestTokens.bearer(user)).get("/api/vpcs/" + id)
                .then().extract().path("revision");
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"description\":\"renamed\"}").patch("/api/vpcs/" + id)
                .then().statusCode(200).body("description", equalTo("renamed")).body("revision", greaterThan(revision));
    }

    @Test
    void aPrivateVpcTakesItsPrefixesInANamespaceOfItsOwnAndGivesThemBackWhenDeleted() {
        String user = TestUsers.unique("bob");
        String org = provision(user);
        String id = create(user, privateVpc(org, "10.77.5.0/24", "fd77:5::/64")).statusCode(201)
                .body("private_cidr", equalTo(true)).body("ipv4_cidr", equalTo("10.77.5.0/24"))
                .body("ipv6_cidr", equalTo("fd77:5::/64")).extract().path("id");
        String ns = IpamNamespaces.of(UUID.fromString(id));
        assertTrue(TestIpam.hasNamespace(db, ns), "its own namespace");
        assertTrue(TestIpam.holdsPrefix(db, ns, "10.77.5.0/24"));
        assertTrue(TestIpam.holdsPrefix(db, ns, "fd77:5::/64"));

        given().header("Authorization", TestTokens.bearer(user)).delete("/api/vpcs/" + id)
                .then().statusCode(200).body("id", equalTo(id));
        given().header("Authorization", TestTokens.bearer(user)).get("/api/vpcs/" + id)
                .then().statusCode(404).body("resource", equalTo("vpc"));
        assertFalse(TestIpam.holdsPrefix(db, ns, "10.77.5.0/24"), "the IPv4 prefix is back");
        assertFalse(TestIpam.holdsPrefix(db, ns, "fd77:5::/64"), "the IPv6 prefix is back");
        assertFalse(TestIpam.hasNamespace(db, ns), "and the namespace is gone");
        assertEquals(1, count("SELECT count(*) FROM security_groups WHERE vpc_id = $1 AND deleted_at IS NOT NULL",
                UUID.fromString(id)), "its security group goes with it");
    }

    @Test
    void aVpcWithDevicesCannotBeDeletedAndTheRefusalChangesNothing() {
        String user = TestUsers.unique("carol");
        String org = provision(user);
        String id = create(user, privateVpc(org, "10.78.0.0/24", "fd78::/64")).statusCode(201).extract().path("id");
        // a device registered into it (the register-device function is not part of this module)
        TestDevices.Seeded device = TestDevices.insert(db, org, id, new TunnelIp("10.78.0.1", "10.78.0.0/24"),
                new TunnelIp("fd78::1", "fd78::/64"));

        given().header("Authorization", TestTokens.bearer(user)).delete("/api/vpcs/" + id)
                .then().statusCode(400).body("error", equalTo("operation not allowed"))
                .body("reason", equalTo("vpc cannot be deleted while devices are still attached"));
        given().header("Authorization", TestTokens.bearer(user)).get("/api/vpcs/" + id).then().statusCode(200);
        assertTrue(TestIpam.holdsPrefix(db, IpamNamespaces.of(UUID.fromString(id)), "10.78.0.0/24"), "nothing given back");
        assertEquals(0, count("SELECT count(*) FROM security_groups WHERE vpc_id = $1 AND deleted_at IS NOT NULL",
                UUID.fromString(id)));

        // once the device is deleted (soft, as the devices function deletes), the VPC can go
        db.preparedQuery("UPDATE devices SET deleted_at = now() WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(device.id()))).await().indefinitely();
        given().header("Authorization", TestTokens.bearer(user)).delete("/api/vpcs/" + id).then().statusCode(200);
    }

    @Test
    void theDefaultVpcCannotBeDeleted() {
        String user = TestUsers.unique("dave");
        String org = provision(user);
        given().header("Authorization", TestTokens.bearer(user)).delete("/api/vpcs/" + org)
                .then().statusCode(400).body("reason", equalTo("default vpc cannot be deleted"));
        given().header("Authorization", TestTokens.bearer(user)).get("/api/vpcs/" + org).then().statusCode(200);
    }

    @Test
    void anotherTenantNeitherSeesNorChangesAVpc() {
        String owner = TestUsers.unique("erin");
        String stranger = TestUsers.unique("mallory");
        String org = provision(owner);
        String strangersOrg = provision(stranger);
        String id = create(owner, "{\"organization_id\":\"" + org + "\",\"description\":\"mine\"}").statusCode(201)
                .extract().path("id");

        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/vpcs/" + id)
                .then().statusCode(404).body("resource", equalTo("vpc"));
        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/vpcs")
                .then().statusCode(200).header("X-Total-Count", "1").body("id", not(hasItem(id)))
                .body("id", hasItem(strangersOrg));
        given().header("Authorization", TestTokens.bearer(stranger)).contentType(ContentType.JSON)
                .body("{\"description\":\"theirs now\"}").patch("/api/vpcs/" + id).then().statusCode(404);
        given().header("Authorization", TestTokens.bearer(stranger)).delete("/api/vpcs/" + id).then().statusCode(404);
        create(stranger, "{\"organization_id\":\"" + org + "\"}").statusCode(404).body("resource", equalTo("organization"));
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/vpcs/" + id)
                .then().statusCode(200).body("description", equalTo("mine"));
        assertEquals(2, count("SELECT count(*) FROM vpcs WHERE organization_id = $1", UUID.fromString(org)));
    }

    @Test
    void aMemberReadsAndCreatesButOnlyAnOwnerUpdatesOrDeletes() {
        String owner = TestUsers.unique("frank");
        String member = TestUsers.unique("grace");
        String org = provision(owner);
        String memberId = provision(member);
        db.preparedQuery("INSERT INTO user_organizations (user_id, organization_id, roles) VALUES ($1, $2, '{member}')")
                .execute(Tuple.of(UUID.fromString(memberId), UUID.fromString(org))).await().indefinitely();

        String id = create(member, "{\"organization_id\":\"" + org + "\",\"description\":\"by a member\"}")
                .statusCode(201).extract().path("id");
        given().header("Authorization", TestTokens.bearer(member)).get("/api/vpcs/" + id).then().statusCode(200);
        given().header("Authorization", TestTokens.bearer(member)).contentType(ContentType.JSON)
                .body("{\"description\":\"x\"}").patch("/api/vpcs/" + id).then().statusCode(403);
        given().header("Authorization", TestTokens.bearer(member)).delete("/api/vpcs/" + id).then().statusCode(403);
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/vpcs/" + id)
                .then().statusCode(200).body("description", equalTo("by a member"));
    }

    @Test
    void badInputIsA400NamingTheFieldAndStoresNothing() {
        String user = TestUsers.unique("heidi");
        String org = provision(user);
        long prefixes = TestIpam.prefixes(db);
        List<String[]> cases = List.of(
                new String[] {"{}", "organization_id"},
                new String[] {"{\"organization_id\":\"not-a-uuid\"}", "organization_id"},
                new String[] {"{\"organization_id\":\"" + org + "\",\"colour\":\"red\"}", "colour"},
                new String[] {"{\"organization_id\":\"" + org + "\",\"private_cidr\":true,\"ipv6_cidr\":\"fd00::/64\"}", "ipv4_cidr"},
                new String[] {"{\"organization_id\":\"" + org + "\",\"private_cidr\":true,\"ipv4_cidr\":\"10.0.0.0/24\"}", "ipv6_cidr"},
                new String[] {privateVpc(org, "10.0.0.0/33", "fd00::/64"), "ipv4_cidr"},
                new String[] {privateVpc(org, "fd01::/64", "fd00::/64"), "ipv4_cidr"},
                new String[] {privateVpc(org, "10.0.0.0/31", "fd00::/64"), "ipv4_cidr"},
                new String[] {privateVpc(org, "10.0.0.0/24", "10.1.0.0/24"), "ipv6_cidr"},
                new String[] {privateVpc(org, "10.0.0.0/24", "fd00::/127"), "ipv6_cidr"},
                // a VPC without private_cidr may only name the shared space
                new String[] {"{\"organization_id\":\"" + org + "\",\"ipv4_cidr\":\"10.0.0.0/24\"}", "ipv4_cidr"});
        for (String[] c : cases) {
            create(user, c[0]).statusCode(400).body("field", equalTo(c[1]));
        }
        given().header("Authorization", TestTokens.bearer(user)).get("/api/vpcs/not-a-uuid").then().statusCode(400)
                .body("field", equalTo("id"));
        assertEquals(1, count("SELECT count(*) FROM vpcs WHERE organization_id = $1", UUID.fromString(org)),
                "only the default VPC");
        assertEquals(prefixes, TestIpam.prefixes(db), "nothing taken from IPAM");
    }

    @Test
    void aReadOnlyTokenReadsButCannotWrite() {
        String user = TestUsers.unique("ivan");
        String org = provision(user);
        String readOnly = TestTokens.readOnlyBearer(user);
        given().header("Authorization", readOnly).get("/api/vpcs").then().statusCode(200).body("id", hasItem(org));
        given().header("Authorization", readOnly).get("/api/vpcs/" + org).then().statusCode(200);
        given().header("Authorization", readOnly).contentType(ContentType.JSON)
                .body("{\"organization_id\":\"" + org + "\"}").post("/api/vpcs")
                .then().statusCode(403).body("field", equalTo("scope")).body("reason", equalTo("missing scope write:organizations"));
        given().header("Authorization", readOnly).contentType(ContentType.JSON).body("{\"description\":\"x\"}")
                .patch("/api/vpcs/" + org).then().statusCode(403).body("field", equalTo("scope"));
        given().header("Authorization", readOnly).delete("/api/vpcs/" + org).then().statusCode(403);
        // the Funqy binding asks for the same scope
        given().header("Authorization", readOnly).contentType(ContentType.JSON)
                .body("{\"organization_id\":\"" + org + "\"}").post("/create-vpc")
                .then().statusCode(403).body("reason", equalTo("missing scope write:organizations"));
        given().header("Authorization", readOnly).contentType(ContentType.JSON).body("{\"id\":\"" + org + "\"}")
                .post("/get-vpc").then().statusCode(200).body("id", equalTo(org));
        assertEquals(1, count("SELECT count(*) FROM vpcs WHERE organization_id = $1", UUID.fromString(org)));
    }

    @Test
    void theFunqyNamesDoWhatTheRoutesDo() {
        String user = TestUsers.unique("judy");
        String org = provision(user);
        String bearer = TestTokens.bearer(user);
        String id = given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body(privateVpc(org, "10.79.0.0/24", "fd79::/64")).post("/create-vpc")
                .then().statusCode(200).body("private_cidr", equalTo(true)).extract().path("id");
        given().header("Authorization", bearer).contentType(ContentType.JSON).body("{}").post("/list-vpcs")
                .then().statusCode(200).body("id", containsInAnyOrder(org, id));
        given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"id\":\"" + id + "\",\"description\":\"funqy\"}").post("/update-vpc")
                .then().statusCode(200).body("description", equalTo("funqy"));
        given().header("Authorization", bearer).contentType(ContentType.JSON).body("{\"id\":\"" + id + "\"}")
                .post("/delete-vpc").then().statusCode(200).body("id", equalTo(id));
        assertFalse(TestIpam.holdsPrefix(db, IpamNamespaces.of(UUID.fromString(id)), "10.79.0.0/24"));
        given().header("Authorization", bearer).contentType(ContentType.JSON).body("{\"id\":\"" + id + "\"}")
                .post("/get-vpc").then().statusCode(404).body("resource", equalTo("vpc"));
    }
}

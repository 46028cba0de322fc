package io.nexodus.fn.securitygroups;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.testing.PostgresTestResource;
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
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Security groups over their Nexodus REST routes against a real PostgreSQL. Every user owns a personal
 * organization and default VPC (both with the user's id) from first contact; other VPCs and devices are
 * written directly, as their functions are not part of this module.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class SecurityGroupsTest {

    static final String RULE = "{\"ip_protocol\":\"tcp\",\"from_port\":22,\"to_port\":22,"
            + "\"ip_ranges\":[\"10.0.0.0/8\",\"192.168.1.1-192.168.1.9\",\"2001:db8::/64\",\"::ffff:1.2.3.4\",\"\"]}";

    @Inject
    Pool db;


    long count(String sql, Object... args) {
        return db.preparedQuery(sql).execute(Tuple.from(args)).await().indefinitely().iterator().next().getLong(0);
    }

    /** Provisions the user and returns their id = personal organization = default VPC = default group. */
    String userId(String user) {
        return TestUsers.provision(db, user, "/api/security-groups");
    }

    static ValidatableResponse create(String user, String body) {
        return given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON).body(body)
                .post("/api/security-groups").then();
    }

    static ValidatableResponse patch(String user, String id, String body) {
        return given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON).body(body)
                .patch("/api/security-groups/" + id).then();
    }

    @Test
    void anOwnerCreatesReadsUpdatesAndDeletes() {
        String owner = TestUsers.unique("alice");
        String vpc = userId(owner);
        String id = create(owner, "{\"vpc_id\":\"" + vpc + "\",\"description\":\"ssh\",\"inbound_rules\":[" + RULE + "]}")
                .statusCode(201).body("vpc_id", equalTo(vpc)).body("description", equalTo("ssh"))
                .body("inbound_rules[0].ip_protocol", equalTo("tcp")).body("inbound_rules[0].from_port", equalTo(22))
                .body("inbound_rules[0].ip_ranges.size()", equalTo(5))
                .body("outbound_rules", nullValue()).body("revision", greaterThan(0))
                .extract().path("id");
        assertEquals(1, count("SELECT count(*) FROM security_groups WHERE id = $1 AND organization_id = $2",
                UUID.fromString(id), UUID.fromString(vpc)));
        int revision = given().header("Authorization", TestTokens.bearer(owner)).get("/api/security-groups/" + id)
                .then().statusCode(200).body("id", equalTo(id)).extract().path("revision");

        given().header("Authorization", TestTokens.bearer(owner)).get("/api/security-groups")
                .then().statusCode(200).header("X-Total-Count", "2")
                .body("id", containsInAnyOrder(id, vpc)).body("description", contains("default vpc security group", "ssh"));

        // absent members stay, a given rule list replaces the whole list, defaults filled in
        patch(owner, id, "{\"outbound_rules\":[{\"ip_protocol\":\"udp\"}]}").statusCode(200)
                .body("description", equalTo("ssh")).body("inbound_rules.size()", equalTo(1))
                .body("outbound_rules[0].ip_protocol", equalTo("udp")).body("outbound_rules[0].from_port", equalTo(0))
                .body("outbound_rules[0].to_port", equalTo(0)).body("outbound_rules[0].ip_ranges", nullValue())
                .body("revision", greaterThan(revision));
        patch(owner, id, "{\"description\":\"closed\",\"inbound_rules\":[]}").statusCode(200)
                .body("description", equalTo("closed")).body("inbound_rules", nullValue())
                .body("outbound_rules.size()", equalTo(1));

        given().header("Authorization", TestTokens.bearer(owner)).delete("/api/security-groups/" + id)
                .then().statusCode(200).body("id", equalTo(id));
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/security-groups/" + id)
                .then().statusCode(404).body("resource", equalTo("security-group"));
        patch(owner, id, "{\"description\":\"x\"}").statusCode(404);
    }

    @Test
    void everyRuleValidationErrorIsA422NamingTheField() {
        String owner = TestUsers.unique("bob");
        String vpc = userId(owner);
        List<String[]> cases = List.of(
                new String[] {"{\"ip_protocol\":\"sctp\"}", "inbound_rules[0].ip_protocol"},
                new String[] {"{\"ip_protocol\":\"TCP\"}", "inbound_rules[0].ip_protocol"},
                new String[] {"{\"from_port\":0,\"to_port\":80}", "inbound_rules[0].from_port"},
                new String[] {"{\"from_port\":80,\"to_port\":0}", "inbound_rules[0].to_port"},
                new String[] {"{\"from_port\":100,\"to_port\":80}", "inbound_rules[0].from_port"},
                new String[] {"{\"from_port\":1,\"to_port\":65536}", "inbound_rules[0].to_port"},
                new String[] {"{\"from_port\":70000,\"to_port\":70000}", "inbound_rules[0].from_port"},
                new String[] {"{\"from_port\":-1,\"to_port\":10}", "inbound_rules[0].from_port"},
                new String[] {"{\"ip_ranges\":[\"10.0.0.0/8\",\"nope\"]}", "inbound_rules[0].ip_ranges[1]"},
                new String[] {"{\"ip_ranges\":[\"10.0.0.0/33\"]}", "inbound_rules[0].ip_ranges[0]"},
                new String[] {"{\"ip_ranges\":[\"10.0.0.0/\"]}", "inbound_rules[0].ip_ranges[0]"},
                new String[] {"{\"ip_ranges\":[\"2001:db8::/129\"]}", "inbound_rules[0].ip_ranges[0]"},
                new String[] {"{\"ip_ranges\":[\"10.0.0.9-10.0.0.1\"]}", "inbound_rules[0].ip_ranges[0]"},
                new String[] {"{\"ip_ranges\":[\"10.0.0.1-2001:db8::1\"]}", "inbound_rules[0].ip_ranges[0]"},
                new String[] {"{\"ip_ranges\":[\"10.0.0.1-\"]}", "inbound_rules[0].ip_ranges[0]"},
                new String[] {"{\"ip_ranges\":[\"fe80::1%eth0\"]}", "inbound_rules[0].ip_ranges[0]"},
                new String[] {"{\"ip_ranges\":[\"localhost\"]}", "inbound_rules[0].ip_ranges[0]"},
                new String[] {"{\"ip_ranges\":[\" 10.0.0.1\"]}", "inbound_rules[0].ip_ranges[0]"},
                new String[] {"{\"ip_ranges\":[\"256.0.0.1\"]}", "inbound_rules[0].ip_ranges[0]"},
                new String[] {"{\"ip_ranges\":[null]}", "inbound_rules[0].ip_ranges[0]"});
        long before = count("SELECT count(*) FROM security_groups");
        for (String[] c : cases) {
            create(owner, "{\"vpc_id\":\"" + vpc + "\",\"inbound_rules\":[" + c[0] + "]}")
                    .statusCode(422).body("field", equalTo(c[1]));
            // the same on update, and on the other list
            patch(owner, vpc, "{\"outbound_rules\":[" + RULE + "," + c[0] + "]}")
                    .statusCode(422).body("field", equalTo(c[1].replace("inbound_rules[0]", "outbound_rules[1]")));
        }
        create(owner, "{\"vpc_id\":\"" + vpc + "\",\"outbound_rules\":[null]}")
                .statusCode(422).body("field", equalTo("outbound_rules[0]"));
        assertEquals(before, count("SELECT count(*) FROM security_groups"), "nothing was created");
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/security-groups/" + vpc)
                .then().statusCode(200).body("outbound_rules", nullValue()).body("inbound_rules", nullValue());
        // every accepted form
        create(owner, "{\"vpc_id\":\"" + vpc + "\",\"inbound_rules\":[{\"ip_protocol\":\"icmpv6\",\"ip_ranges\":"
                + "[\"2001:db8::1-2001:db8::ff\",\"10.0.0.1\",\"0.0.0.0/0\",\"::/0\",\"10.0.0.1-10.0.0.1\"]},"
                + "{\"ip_protocol\":\"\",\"from_port\":1,\"to_port\":65535}]}").statusCode(201);
    }

    @Test
    void badInputIsA400NamingTheField() {
        String owner = TestUsers.unique("carl");
        String vpc = userId(owner);
        create(owner, "{\"description\":\"x\"}").statusCode(400).body("error", equalTo("field not present"))
                .body("field", equalTo("vpc_id"));
        create(owner, "{\"vpc_id\":\"nope\"}").statusCode(400).body("field", equalTo("vpc_id"));
        create(owner, "{\"vpc_id\":\"" + vpc + "\",\"colour\":\"red\"}").statusCode(400).body("field", equalTo("colour"));
        create(owner, "{\"vpc_id\":\"" + vpc + "\",\"description\":\"" + "d".repeat(1025) + "\"}").statusCode(400)
                .body("field", equalTo("description"));
        create(owner, "{\"vpc_id\":\"" + UUID.randomUUID() + "\"}").statusCode(404).body("resource", equalTo("vpc"));
        // a number written as text is a wrong type, not a port (no coercion: docs/compatibility.md)
        create(owner, "{\"vpc_id\":\"" + vpc + "\",\"inbound_rules\":[{\"ip_protocol\":\"tcp\",\"from_port\":\"22\","
                + "\"to_port\":22}]}").statusCode(400).body("error", equalTo("invalid data in field"))
                .body("field", equalTo("inbound_rules[0].from_port"));
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/security-groups/not-a-uuid")
                .then().statusCode(400).body("error", equalTo("path parameter invalid")).body("field", equalTo("id"));
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/vpcs/not-a-uuid/security-groups")
                .then().statusCode(400).body("field", equalTo("id"));
        patch(owner, vpc, "{\"id\":\"" + UUID.randomUUID() + "\"}").statusCode(400).body("field", equalTo("id"));
    }

    @Test
    void otherTenantsGet404AndMembers403AndNothingChanges() {
        String owner = TestUsers.unique("dora");
        String member = TestUsers.unique("eve");
        String stranger = TestUsers.unique("finn");
        String vpc = userId(owner);
        String memberId = userId(member);
        userId(stranger);
        db.preparedQuery("INSERT INTO user_organizations (user_id, organization_id, roles) VALUES ($1, $2, ARRAY['member'])")
                .execute(Tuple.of(UUID.fromString(memberId), UUID.fromString(vpc))).await().indefinitely();
        String id = create(owner, "{\"vpc_id\":\"" + vpc + "\",\"inbound_rules\":[" + RULE + "]}").statusCode(201)
                .extract().path("id");
        long revisions = count("SELECT sum(revision) FROM security_groups");

        // a stranger: nothing exists
        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/security-groups/" + id)
                .then().statusCode(404).body("resource", equalTo("security-group"));
        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/security-groups")
                .then().statusCode(200).body("id", not(hasItem(id))).body("id", not(hasItem(vpc)));
        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/vpcs/" + vpc + "/security-groups")
                .then().statusCode(404).body("resource", equalTo("vpc"));
        create(stranger, "{\"vpc_id\":\"" + vpc + "\"}").statusCode(404).body("resource", equalTo("vpc"));
        patch(stranger, id, "{\"description\":\"pwned\"}").statusCode(404);
        given().header("Authorization", TestTokens.bearer(stranger)).delete("/api/security-groups/" + id)
                .then().statusCode(404);

        // a member reads but may not change
        given().header("Authorization", TestTokens.bearer(member)).get("/api/security-groups/" + id)
                .then().statusCode(200);
        given().header("Authorization", TestTokens.bearer(member)).get("/api/security-groups")
                .then().statusCode(200).body("id", hasItem(id));
        given().header("Authorization", TestTokens.bearer(member)).get("/api/vpcs/" + vpc + "/security-groups")
                .then().statusCode(200).body("id", hasItem(id));
        create(member, "{\"vpc_id\":\"" + vpc + "\"}").statusCode(403).body("error", equalTo("forbidden"));
        patch(member, id, "{\"inbound_rules\":[]}").statusCode(403);
        given().header("Authorization", TestTokens.bearer(member)).delete("/api/security-groups/" + id)
                .then().statusCode(403);

        assertEquals(2, count("SELECT count(*) FROM security_groups WHERE organization_id = $1 AND deleted_at IS NULL",
                UUID.fromString(vpc)));
        assertEquals(revisions, count("SELECT sum(revision) FROM security_groups"), "no group was written");
    }

    @Test
    void theDefaultGroupAndGroupsInUseCannotBeDeleted() {
        String owner = TestUsers.unique("gus");
        String vpc = userId(owner);
        given().header("Authorization", TestTokens.bearer(owner)).delete("/api/security-groups/" + vpc)
                .then().statusCode(400).body("error", equalTo("operation not allowed"))
                .body("reason", equalTo("default security group cannot be deleted"));

        String id = create(owner, "{\"vpc_id\":\"" + vpc + "\"}").statusCode(201).extract().path("id");
        UUID device = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        db.preparedQuery("INSERT INTO devices (id, owner_id, vpc_id, organization_id, public_key, token_hash,"
                        + " security_group_id) VALUES ($1, $2, $2, $2, 'pk', '\\x00', $3)")
                .execute(Tuple.of(device, UUID.fromString(vpc), UUID.fromString(id))).await().indefinitely();
        db.preparedQuery("INSERT INTO reg_keys (id, owner_id, organization_id, vpc_id, token_hash, security_group_id)"
                        + " VALUES ($1, $2, $2, $2, '\\x01', $3)")
                .execute(Tuple.of(key, UUID.fromString(vpc), UUID.fromString(id))).await().indefinitely();
        given().header("Authorization", TestTokens.bearer(owner)).delete("/api/security-groups/" + id)
                .then().statusCode(400).body("reason", equalTo("security group is in use by devices"));

        db.preparedQuery("UPDATE devices SET deleted_at = now() WHERE id = $1").execute(Tuple.of(device))
                .await().indefinitely();
        given().header("Authorization", TestTokens.bearer(owner)).delete("/api/security-groups/" + id)
                .then().statusCode(200);
        // the key that named it now registers devices into the VPC's default group
        assertEquals(1, count("SELECT count(*) FROM reg_keys WHERE id = $1 AND security_group_id IS NULL", key));
    }

    @Test
    void everyVpcOfTheOrganizationIsSignalled() throws Exception {
        String owner = TestUsers.unique("hal");
        String org = userId(owner);
        UUID vpc = UUID.randomUUID();
        db.preparedQuery("INSERT INTO vpcs (id, organization_id, private_cidr, ipv4_cidr, ipv6_cidr)"
                        + " VALUES ($1, $2, true, '10.1.0.0/16', 'fd00:1::/64')")
                .execute(Tuple.of(vpc, UUID.fromString(org))).await().indefinitely();
        // Nexodus woke only a default VPC (id = organization id); a group of another VPC wakes that one too
        Set<String> both = Set.of("/security-groups/vpc=" + vpc, "/security-groups/vpc=" + org);
        try (SignalListener signals = SignalListener.open()) {
            String id = create(owner, "{\"vpc_id\":\"" + vpc + "\"}").statusCode(201).extract().path("id");
            signals.expect(both);
            patch(owner, id, "{\"inbound_rules\":[" + RULE + "]}").statusCode(200);
            signals.expect(both);
            given().header("Authorization", TestTokens.bearer(owner)).delete("/api/security-groups/" + id)
                    .then().statusCode(200);
            signals.expect(both);
            // a refused change sends nothing
            patch(owner, org, "{\"inbound_rules\":[{\"ip_protocol\":\"bogus\"}]}").statusCode(422);
            signals.expectNothing();
        }
        // the VPC variant lists the groups of the VPC's organization, as Nexodus and the watch do
        String here = create(owner, "{\"vpc_id\":\"" + vpc + "\",\"description\":\"here\"}").statusCode(201)
                .extract().path("id");
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/vpcs/" + org + "/security-groups")
                .then().statusCode(200).header("X-Total-Count", "2").body("id", containsInAnyOrder(org, here));
    }

    @Test
    void theSameOperationsThroughFunqyAndCloudEvents() {
        String owner = TestUsers.unique("ida");
        String vpc = userId(owner);
        String id = given().header("Authorization", TestTokens.bearer(owner)).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"funqy\"}").post("/create-security-group")
                .then().statusCode(200).body("description", equalTo("funqy")).extract().path("id");
        given().header("Authorization", TestTokens.bearer(owner)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + vpc + "\"}").post("/list-vpc-security-groups")
                .then().statusCode(200).body("id", hasItem(id));
        given().header("Authorization", TestTokens.bearer(owner)).contentType(ContentType.JSON).body("{}")
                .post("/list-security-groups").then().statusCode(200).body("id", hasItem(id));
        given().header("Authorization", TestTokens.bearer(owner))
                .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-type", "io.nexodus.securitygroup.update").header("ce-source", "/tests")
                .contentType(ContentType.JSON).body("{\"id\":\"" + id + "\",\"inbound_rules\":[" + RULE + "]}")
                .post("/").then().statusCode(200)
                .header("ce-type", "io.nexodus.securitygroup.updated").body("inbound_rules.size()", equalTo(1));
        String event = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"/tests\","
                + "\"type\":\"io.nexodus.securitygroup.delete\",\"datacontenttype\":\"application/json\","
                + "\"data\":{\"id\":\"" + id + "\"}}";
        given().header("Authorization", TestTokens.bearer(owner)).contentType("application/cloudevents+json")
                .body(event).post("/").then().statusCode(200).body("type", equalTo("io.nexodus.securitygroup.deleted"));
        // errors are the same JSON as on the REST routes
        given().header("Authorization", TestTokens.bearer(owner)).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"inbound_rules\":[{\"from_port\":5}]}").post("/create-security-group")
                .then().statusCode(422).body("field", equalTo("inbound_rules[0].to_port"));
        given().header("Authorization", TestTokens.bearer(owner)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + id + "\"}").post("/get-security-group")
                .then().statusCode(404).body("resource", equalTo("security-group"));
    }
}

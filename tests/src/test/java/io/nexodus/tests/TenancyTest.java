package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Joining an organization end to end, with every function in one application: an owner's organization,
 * VPC and device; an invitation accepted; what membership then shows and allows; leaving and being
 * removed. Also that {@code /api/vpcs/{id}/security-groups} routes beside the {@code vpcs} function's
 * {@code /api/vpcs} routes.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class TenancyTest {

    @Inject
    Pool db;

    private static RequestSpecification as(String user) {
        return given().header("Authorization", TestTokens.bearer(user));
    }

    private static RequestSpecification json(String user, String body) {
        return as(user).contentType(ContentType.JSON).body(body);
    }

    /** An organization of {@code owner} with a VPC and one device of the owner in it. */
    private record Tenant(String org, String vpc, String device) {
    }

    private static Tenant tenant(String owner) {
        String org = json(owner, "{\"name\":\"" + Nexd.user("org") + "\"}").post("/api/organizations")
                .then().statusCode(201).extract().path("id");
        String vpc = json(owner, "{\"organization_id\":\"" + org + "\",\"description\":\"shared\"}").post("/api/vpcs")
                .then().statusCode(201).extract().path("id");
        String device = new Nexd().register(TestTokens.bearer(owner), vpc, "").then().statusCode(201).extract().path("id");
        json(owner, "{\"type\":\"wireguard\"}").put("/api/devices/" + device + "/metadata/relay").then().statusCode(200);
        return new Tenant(org, vpc, device);
    }

    private static String invite(String owner, String org, String userId) {
        return json(owner, "{\"organization_id\":\"" + org + "\",\"user_id\":\"" + userId + "\"}").post("/api/invitations")
                .then().statusCode(201).extract().path("id");
    }

    private static void assertSeesTheTenant(String user, Tenant t) {
        as(user).get("/api/organizations/" + t.org()).then().statusCode(200);
        as(user).get("/api/vpcs").then().statusCode(200).body("id", hasItem(t.vpc()));
        as(user).get("/api/vpcs/" + t.vpc()).then().statusCode(200);
        // the devices of the VPC (the peer list) and their metadata
        as(user).get("/api/vpcs/" + t.vpc() + "/devices").then().statusCode(200).body("id", hasItem(t.device()));
        as(user).get("/api/vpcs/" + t.vpc() + "/metadata").then().statusCode(200).body("device_id", contains(t.device()));
        as(user).get("/api/vpcs/" + t.vpc() + "/security-groups").then().statusCode(200).body("id", contains(t.vpc()));
        as(user).get("/api/security-groups/" + t.vpc()).then().statusCode(200);
    }

    private static void assertSeesNothingOf(String user, Tenant t) {
        as(user).get("/api/organizations/" + t.org()).then().statusCode(404);
        as(user).get("/api/vpcs").then().statusCode(200).body("id", not(hasItem(t.vpc())));
        as(user).get("/api/vpcs/" + t.vpc()).then().statusCode(404);
        as(user).get("/api/vpcs/" + t.vpc() + "/devices").then().statusCode(404);
        as(user).get("/api/vpcs/" + t.vpc() + "/metadata").then().statusCode(404);
        as(user).get("/api/vpcs/" + t.vpc() + "/security-groups").then().statusCode(404);
        as(user).get("/api/security-groups/" + t.vpc()).then().statusCode(404);
        as(user).get("/api/security-groups").then().statusCode(200).body("id", not(hasItem(t.vpc())));
    }

    @Test
    void anInviteeWhoAcceptsSeesTheOrganizationsVpcsAndDevicesAndCanLeave() {
        String owner = Nexd.user("alice");
        String invitee = Nexd.user("bob");
        Tenant t = tenant(owner);
        String bob = Nexd.defaultVpc(invitee);
        assertSeesNothingOf(invitee, t);

        String invitation = invite(owner, t.org(), bob);
        as(invitee).get("/api/invitations").then().statusCode(200)
                .body("id", contains(invitation)).body("[0].organization.id", equalTo(t.org()));
        as(invitee).post("/api/invitations/" + invitation + "/accept").then().statusCode(204);
        as(owner).get("/api/organizations/" + t.org() + "/users/" + bob).then().statusCode(200)
                .body("roles", contains("member"));
        assertSeesTheTenant(invitee, t);
        // a member may register a device of their own in the VPC
        new Nexd().register(TestTokens.bearer(invitee), t.vpc(), "").then().statusCode(201);
        as(invitee).get("/api/devices").then().statusCode(200).body("size()", equalTo(1));
        as(invitee).get("/api/vpcs/" + t.vpc() + "/metadata").then().statusCode(200);

        // leaving is refused while they own a device there, then allowed
        as(invitee).delete("/api/users/me/organizations/" + t.org()).then().statusCode(400);
        String own = as(invitee).get("/api/devices").then().extract().path("[0].id");
        as(invitee).delete("/api/devices/" + own).then().statusCode(200);
        as(invitee).delete("/api/users/me/organizations/" + t.org()).then().statusCode(200).body("id", equalTo(bob));
        assertSeesNothingOf(invitee, t);
    }

    @Test
    void aMemberCannotDoWhatOnlyOwnersMayAndAnOwnerRemovesThem() {
        String owner = Nexd.user("carol");
        String member = Nexd.user("dave");
        String third = Nexd.user("erin");
        Tenant t = tenant(owner);
        String memberId = Nexd.defaultVpc(member);
        String thirdId = Nexd.defaultVpc(third);
        as(member).post("/api/invitations/" + invite(owner, t.org(), memberId) + "/accept").then().statusCode(204);

        json(member, "{\"organization_id\":\"" + t.org() + "\",\"user_id\":\"" + thirdId + "\"}").post("/api/invitations")
                .then().statusCode(403);
        json(member, "{\"vpc_id\":\"" + t.vpc() + "\"}").post("/api/security-groups").then().statusCode(403);
        json(member, "{\"inbound_rules\":[]}").patch("/api/security-groups/" + t.vpc()).then().statusCode(403);
        json(member, "{\"description\":\"mine\"}").patch("/api/vpcs/" + t.vpc()).then().statusCode(403);
        as(member).delete("/api/vpcs/" + t.vpc()).then().statusCode(403);
        as(member).delete("/api/organizations/" + t.org()).then().statusCode(403);
        as(member).delete("/api/organizations/" + t.org() + "/users/" + t.org()).then().statusCode(403);
        // nothing changed
        assertEquals(0, count("SELECT count(*) FROM invitations WHERE organization_id = $1 AND deleted_at IS NULL", t.org()));
        assertEquals(1, count("SELECT count(*) FROM security_groups WHERE organization_id = $1 AND deleted_at IS NULL", t.org()));
        as(owner).get("/api/vpcs/" + t.vpc()).then().statusCode(200).body("description", equalTo("shared"));
        as(owner).get("/api/organizations/" + t.org() + "/users").then().statusCode(200).body("size()", equalTo(2));

        as(owner).delete("/api/organizations/" + t.org() + "/users/" + memberId).then().statusCode(200);
        assertSeesNothingOf(member, t);
    }

    @Test
    void aSecurityGroupUsedByARegisteredDeviceCannotBeDeleted() {
        String owner = Nexd.user("frank");
        String vpc = Nexd.defaultVpc(owner);
        String group = json(owner, "{\"vpc_id\":\"" + vpc + "\",\"description\":\"web\",\"inbound_rules\":"
                + "[{\"ip_protocol\":\"tcp\",\"from_port\":443,\"to_port\":443}]}").post("/api/security-groups")
                .then().statusCode(201).extract().path("id");
        String key = "Bearer " + Nexd.regKey(owner, vpc, ",\"security_group_id\":\"" + group + "\"");
        String device = new Nexd().register(key, vpc, "").then().statusCode(201)
                .body("security_group_id", equalTo(group)).extract().path("id");
        as(owner).get("/api/vpcs/" + vpc + "/security-groups").then().statusCode(200)
                .body("description", hasItem("web"));

        as(owner).delete("/api/security-groups/" + group).then().statusCode(400)
                .body("reason", equalTo("security group is in use by devices"));
        as(owner).delete("/api/devices/" + device).then().statusCode(200);
        as(owner).delete("/api/security-groups/" + group).then().statusCode(200);
        // the registration key that named it now places devices in the VPC's default group
        new Nexd().register(key, vpc, "").then().statusCode(201).body("security_group_id", equalTo(vpc));
    }

    private long count(String sql, String id) {
        return TestDb.count(db, sql, UUID.fromString(id));
    }
}

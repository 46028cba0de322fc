package io.nexodus.fn.organizations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.TestUsers;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The organizations function over its Nexodus REST routes, against a real PostgreSQL. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class OrganizationsTest {

    @Inject
    Pool db;


    private String create(String user, String name) {
        return given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\",\"description\":\"test org\"}")
                .when().post("/api/organizations")
                .then().statusCode(201)
                .body("name", equalTo(name)).body("description", equalTo("test org")).body("id", notNullValue())
                .extract().path("id");
    }

    /**
     * The caller's user id. Users are served by another function; the personal organization carries
     * the user's id and name, so it tells.
     */
    private static String userId(String user) {
        return given().header("Authorization", TestTokens.bearer(user))
                .queryParam("filter", "{\"name\":\"" + user + "\"}")
                .when().get("/api/organizations")
                .then().statusCode(200).body("size()", equalTo(1)).extract().path("[0].id");
    }

    @Test
    void firstContactProvisionsThePersonalOrganization() {
        String user = TestUsers.unique("alice");
        String me = given().header("Authorization", TestTokens.bearer(user))
                .when().get("/api/organizations").then().statusCode(200).extract().path("[0].id");
        given().header("Authorization", TestTokens.bearer(user))
                .when().get("/api/organizations")
                .then().statusCode(200)
                .header("X-Total-Count", "1")
                .body("id", contains(me))
                .body("name", contains(user))
                .body("description", contains(user + "'s organization"));
        // the default VPC and default security group exist too, with the user's id
        var counts = db.preparedQuery("SELECT (SELECT count(*) FROM vpcs WHERE id = $1 AND organization_id = $1"
                        + " AND ipv4_cidr = '100.64.0.0/10' AND ipv6_cidr = '200::/64'),"
                        + " (SELECT count(*) FROM security_groups WHERE id = $1 AND vpc_id = $1),"
                        + " (SELECT count(*) FROM user_organizations WHERE user_id = $1 AND organization_id = $1"
                        + " AND roles = ARRAY['owner'])")
                .execute(Tuple.of(UUID.fromString(me))).await().indefinitely().iterator().next();
        org.junit.jupiter.api.Assertions.assertEquals(1L, counts.getLong(0));
        org.junit.jupiter.api.Assertions.assertEquals(1L, counts.getLong(1));
        org.junit.jupiter.api.Assertions.assertEquals(1L, counts.getLong(2));
    }

    @Test
    void createListGetDeleteAsOwner() {
        String user = TestUsers.unique("bob");
        String name = TestUsers.unique("acme");
        String id = create(user, name);

        given().header("Authorization", TestTokens.bearer(user))
                .queryParam("filter", "{\"roles\":[\"owner\"]}")
                .queryParam("sort", "[\"name\",\"DESC\"]")
                .when().get("/api/organizations")
                .then().statusCode(200).header("X-Total-Count", "2").body("name", hasItem(name));
        given().header("Authorization", TestTokens.bearer(user))
                .queryParam("range", "[0,0]").queryParam("sort", "[\"name\",\"ASC\"]")
                .when().get("/api/organizations")
                .then().statusCode(200).header("X-Total-Count", "2").body("size()", equalTo(1));
        given().header("Authorization", TestTokens.bearer(user))
                .when().get("/api/organizations/" + id)
                .then().statusCode(200).body("id", equalTo(id)).body("name", equalTo(name));
        given().header("Authorization", TestTokens.bearer(user))
                .when().get("/api/organizations/" + id + "/users")
                .then().statusCode(200).body("roles", contains(java.util.List.of("owner")))
                .body("[0].user.username", equalTo(user));

        // Nexodus answered 500 here after a successful delete; we answer 200 with the organization
        given().header("Authorization", TestTokens.bearer(user))
                .when().delete("/api/organizations/" + id)
                .then().statusCode(200).body("id", equalTo(id)).body("name", equalTo(name));
        given().header("Authorization", TestTokens.bearer(user))
                .when().get("/api/organizations/" + id)
                .then().statusCode(404).body("error", equalTo("not found")).body("resource", equalTo("organization"));
        // the name is free again once the organization is deleted
        create(user, name);
    }

    @Test
    void duplicateNameIsAConflictNamingTheExistingOrganizationToItsMembersOnly() {
        String name = TestUsers.unique("dup");
        String carol = TestUsers.unique("carol");
        String id = create(carol, name);
        given().header("Authorization", TestTokens.bearer(carol)).contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\"}")
                .when().post("/api/organizations")
                .then().statusCode(409).body("error", equalTo("resource already exists")).body("id", equalTo(id));
        // another tenant learns that the name is taken, not whose organization holds it
        given().header("Authorization", TestTokens.bearer(TestUsers.unique("dave"))).contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\"}")
                .when().post("/api/organizations")
                .then().statusCode(409).body("error", equalTo("resource already exists")).body("$", not(hasKey("id")));
    }

    @Test
    void personalOrganizationCannotBeDeleted() {
        String user = TestUsers.unique("erin");
        String me = userId(user);
        given().header("Authorization", TestTokens.bearer(user))
                .when().delete("/api/organizations/" + me)
                .then().statusCode(400).body("error", equalTo("operation not allowed"))
                .body("reason", equalTo("default organization cannot be deleted"));
    }

    @Test
    void anotherTenantGetsNotFoundAndAMemberGetsForbidden() {
        String owner = TestUsers.unique("frank");
        String stranger = TestUsers.unique("grace");
        String member = TestUsers.unique("heidi");
        String id = create(owner, TestUsers.unique("private"));

        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/organizations/" + id)
                .then().statusCode(404).body("resource", equalTo("organization"));
        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/organizations/" + id + "/users")
                .then().statusCode(404);
        given().header("Authorization", TestTokens.bearer(stranger)).delete("/api/organizations/" + id)
                .then().statusCode(404);
        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/organizations")
                .then().statusCode(200).body("id", not(hasItem(id)));

        // make `member` a member (invitations are their own function; write the membership directly)
        String memberId = userId(member);
        db.preparedQuery("INSERT INTO user_organizations (user_id, organization_id, roles) VALUES ($1, $2, ARRAY['member'])")
                .execute(Tuple.of(UUID.fromString(memberId), UUID.fromString(id))).await().indefinitely();

        given().header("Authorization", TestTokens.bearer(member)).get("/api/organizations/" + id)
                .then().statusCode(200);
        given().header("Authorization", TestTokens.bearer(member)).delete("/api/organizations/" + id)
                .then().statusCode(403).body("error", equalTo("forbidden"));
        String ownerId = userId(owner);
        given().header("Authorization", TestTokens.bearer(member)).delete("/api/organizations/" + id + "/users/" + ownerId)
                .then().statusCode(403);
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/organizations/" + id + "/users/" + memberId)
                .then().statusCode(200).body("roles", contains("member")).body("user.id", equalTo(memberId));

        // the owner removes the member, who then no longer sees the organization
        given().header("Authorization", TestTokens.bearer(owner)).delete("/api/organizations/" + id + "/users/" + memberId)
                .then().statusCode(200).body("user_id", equalTo(memberId));
        given().header("Authorization", TestTokens.bearer(member)).get("/api/organizations/" + id)
                .then().statusCode(404);
        // the organization is still there for its owner
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/organizations/" + id)
                .then().statusCode(200);
    }

    @Test
    void badInputIsA400NamingTheField() {
        String user = TestUsers.unique("ivan");
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"description\":\"no name\"}").post("/api/organizations")
                .then().statusCode(400).body("error", equalTo("field not present")).body("field", equalTo("name"));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"name\":").post("/api/organizations")
                .then().statusCode(400).body("error", org.hamcrest.Matchers.startsWith("request json is invalid"));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"name\":{\"nested\":true}}").post("/api/organizations")
                .then().statusCode(400).body("error", equalTo("invalid data in field")).body("field", equalTo("name"));
        // a value of another JSON type is not converted (docs/compatibility.md): 123 is not the name "123"
        for (String wrongType : new String[] {"{\"name\":123}", "{\"name\":1.5}", "{\"name\":true}",
                "{\"name\":\"x\",\"description\":7}"}) {
            given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON).body(wrongType)
                    .post("/api/organizations").then().statusCode(400).body("error", equalTo("invalid data in field"))
                    .body("field", equalTo(wrongType.contains("description") ? "description" : "name"));
            given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON).body(wrongType)
                    .post("/create-organization").then().statusCode(400)
                    .body("field", equalTo(wrongType.contains("description") ? "description" : "name"));
        }
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"name\":\"x\",\"colour\":\"red\"}").post("/api/organizations")
                .then().statusCode(400).body("field", equalTo("colour"));
        given().header("Authorization", TestTokens.bearer(user)).get("/api/organizations/not-a-uuid")
                .then().statusCode(400).body("error", equalTo("path parameter invalid")).body("field", equalTo("id"));
        given().header("Authorization", TestTokens.bearer(user)).queryParam("filter", "{\"password\":\"x\"}")
                .get("/api/organizations")
                .then().statusCode(400).body("field", equalTo("filter"));
        // nothing was stored by any of the above
        long orgs = db.preparedQuery("SELECT count(*) FROM organizations o JOIN user_organizations uo"
                        + " ON uo.organization_id = o.id JOIN users u ON u.id = uo.user_id WHERE u.user_name = $1")
                .execute(Tuple.of(user)).await().indefinitely().iterator().next().getLong(0);
        org.junit.jupiter.api.Assertions.assertEquals(1L, orgs, "only the personal organization exists");
    }
}

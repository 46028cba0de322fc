package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every live route of the route table, tried by a second tenant on the first tenant's resources with
 * bodies that would change them: each answered exactly as pinned in {@code EXPECTED} (a list without A's
 * rows, a 404 naming the resource, a 403), and the first tenant's rows unchanged. Driven by
 * functions/ROUTES.md: a new route fails this test until its expected answer is written down.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class TenantIsolationTest {

    @Inject
    Pool db;

    /** Everything tenant A has, as one string to compare before and after. */
    private String snapshot(UUID userId) {
        return db.preparedQuery("SELECT concat_ws('|',"
                        + " (SELECT string_agg(id || ':' || name || ':' || (deleted_at IS NULL), ',' ORDER BY id) FROM organizations o"
                        + "   WHERE EXISTS (SELECT 1 FROM user_organizations uo WHERE uo.organization_id = o.id AND uo.user_id = $1)),"
                        + " (SELECT string_agg(organization_id || ':' || array_to_string(roles, '+'), ',' ORDER BY organization_id)"
                        + "   FROM user_organizations WHERE user_id = $1),"
                        + " (SELECT string_agg(id || ':' || revision || ':' || (deleted_at IS NULL), ',' ORDER BY id) FROM vpcs WHERE organization_id = $1),"
                        + " (SELECT string_agg(id || ':' || revision || ':' || (deleted_at IS NULL), ',' ORDER BY id) FROM devices WHERE owner_id = $1),"
                        + " (SELECT string_agg(id || ':' || (deleted_at IS NULL) || ':' || coalesce(description, ''), ',' ORDER BY id) FROM reg_keys WHERE owner_id = $1),"
                        + " (SELECT string_agg(key || ':' || revision || ':' || (deleted_at IS NULL), ',' ORDER BY key) FROM device_metadata m"
                        + "   WHERE m.device_id IN (SELECT id FROM devices WHERE owner_id = $1)),"
                        + " (SELECT string_agg(id || ':' || revision || ':' || (deleted_at IS NULL), ',' ORDER BY id) FROM security_groups WHERE organization_id = $1),"
                        + " (SELECT string_agg(id || ':' || (deleted_at IS NULL), ',' ORDER BY id) FROM invitations WHERE organization_id = $1),"
                        + " (SELECT string_agg(id || ':' || (deleted_at IS NULL), ',' ORDER BY id) FROM users WHERE id = $1))")
                .execute(Tuple.of(userId)).await().indefinitely().iterator().next().getString(0);
    }

    /** What a second tenant's call of one route must be answered. {@code resource} null: a list (200 without A's ids). */
    private record Expected(String body, int status, String resource) {
        static Expected list() {
            return new Expected(null, 200, null);
        }

        static Expected refused(int status, String resource) {
            return new Expected(null, status, resource);
        }

        Expected with(String json) {
            return new Expected(json, status, resource);
        }
    }

    /**
     * Every live route of the route table, placed: the answer pinned (status and the resource a 404 names,
     * so an unbound route's bare 404 cannot pass for a refusal) and, where the route takes one, a body that
     * would change tenant A's data or pull B into it. {@code {A…}} are A's ids.
     */
    private static final Map<String, Expected> EXPECTED = Map.ofEntries(
            Map.entry("GET /api/users", Expected.list()),
            Map.entry("GET /api/users/{id}", Expected.refused(404, "user")),
            Map.entry("DELETE /api/users/{id}", Expected.refused(404, "user")),
            Map.entry("DELETE /api/users/{id}/organizations/{organization}", Expected.refused(404, "organization")),
            Map.entry("GET /api/organizations", Expected.list()),
            Map.entry("POST /api/organizations", new Expected("{\"name\":\"{NEW}\"}", 201, null)),
            Map.entry("GET /api/organizations/{id}", Expected.refused(404, "organization")),
            Map.entry("DELETE /api/organizations/{id}", Expected.refused(404, "organization")),
            Map.entry("GET /api/organizations/{id}/users", Expected.refused(404, "organization")),
            Map.entry("GET /api/organizations/{id}/users/{uid}", Expected.refused(404, "organization")),
            Map.entry("DELETE /api/organizations/{id}/users/{uid}", Expected.refused(404, "organization")),
            Map.entry("GET /api/organizations/{id}/events", Expected.refused(404, "organization")),
            Map.entry("GET /api/invitations", Expected.list()),
            Map.entry("POST /api/invitations", Expected.refused(404, "organization")
                    .with("{\"organization_id\":\"{AORG}\",\"user_id\":\"{ME}\"}")),
            Map.entry("GET /api/invitations/{id}", Expected.refused(404, "invitation")),
            Map.entry("POST /api/invitations/{id}/accept", Expected.refused(404, "invitation")),
            Map.entry("DELETE /api/invitations/{id}", Expected.refused(404, "invitation")),
            Map.entry("GET /api/vpcs", Expected.list()),
            Map.entry("POST /api/vpcs", Expected.refused(404, "organization")
                    .with("{\"organization_id\":\"{AORG}\",\"description\":\"mine now\"}")),
            Map.entry("GET /api/vpcs/{id}", Expected.refused(404, "vpc")),
            Map.entry("PATCH /api/vpcs/{id}", Expected.refused(404, "vpc").with("{\"description\":\"pwned\"}")),
            Map.entry("DELETE /api/vpcs/{id}", Expected.refused(404, "vpc")),
            Map.entry("GET /api/vpcs/{id}/devices", Expected.refused(404, "vpc")),
            Map.entry("GET /api/vpcs/{id}/metadata", Expected.refused(404, "vpc")),
            Map.entry("GET /api/vpcs/{id}/security-groups", Expected.refused(404, "vpc")),
            Map.entry("POST /api/vpcs/{id}/events", Expected.refused(404, "vpc").with("[{\"kind\":\"device\"}]")),
            Map.entry("POST /api/events", Expected.refused(404, "vpc")
                    .with("[{\"kind\":\"device\",\"options\":{\"vpc-id\":\"{AVPC}\"}}]")),
            Map.entry("GET /api/devices", Expected.list()),
            Map.entry("POST /api/devices", Expected.refused(404, "vpc")
                    .with("{\"vpc_id\":\"{AVPC}\",\"public_key\":\"{KEY}\"}")),
            Map.entry("GET /api/devices/{id}", Expected.refused(404, "device")),
            Map.entry("PATCH /api/devices/{id}", Expected.refused(404, "device").with("{\"hostname\":\"pwned\"}")),
            Map.entry("DELETE /api/devices/{id}", Expected.refused(404, "device")),
            Map.entry("POST /api/devices/{id}/token", Expected.refused(404, "device")),
            Map.entry("GET /api/devices/{id}/metadata", Expected.refused(404, "device")),
            Map.entry("DELETE /api/devices/{id}/metadata", Expected.refused(404, "device")),
            Map.entry("GET /api/devices/{id}/metadata/{key}", Expected.refused(404, "device")),
            Map.entry("PUT /api/devices/{id}/metadata/{key}", Expected.refused(404, "device").with("{\"pwned\":true}")),
            Map.entry("DELETE /api/devices/{id}/metadata/{key}", Expected.refused(404, "device")),
            Map.entry("GET /api/security-groups", Expected.list()),
            Map.entry("POST /api/security-groups", Expected.refused(404, "vpc")
                    .with("{\"vpc_id\":\"{AVPC}\",\"description\":\"mine now\"}")),
            Map.entry("GET /api/security-groups/{id}", Expected.refused(404, "security-group")),
            Map.entry("PATCH /api/security-groups/{id}", Expected.refused(404, "security-group")
                    .with("{\"description\":\"pwned\"}")),
            Map.entry("DELETE /api/security-groups/{id}", Expected.refused(404, "security-group")),
            Map.entry("GET /api/reg-keys", Expected.list()),
            Map.entry("POST /api/reg-keys", Expected.refused(404, "vpc").with("{\"vpc_id\":\"{AVPC}\"}")),
            Map.entry("GET /api/reg-keys/{id}", Expected.refused(404, "reg-key")),
            Map.entry("PATCH /api/reg-keys/{id}", Expected.refused(404, "reg-key").with("{\"description\":\"pwned\"}")),
            Map.entry("DELETE /api/reg-keys/{id}", Expected.refused(404, "reg-key")),
            Map.entry("GET /private/gc", Expected.refused(403, null)),
            // nobody's data: the same answer for every tenant
            Map.entry("GET /api/fflags", Expected.list()),
            Map.entry("GET /api/fflags/{name}", Expected.list()),
            Map.entry("GET /device/certs", Expected.list()),
            // no identity provider in this application (its discovery is tested in functions/auth and KeycloakTest)
            Map.entry("POST /device/login/start", Expected.refused(503, null)),
            // the web sign-in takes the session cookie, never a bearer token: with a token only, nobody's session
            // (WebSignInTest signs in through a real Keycloak)
            Map.entry("GET /web/login/start", Expected.refused(400, null)),
            Map.entry("GET /web/login/end", Expected.refused(400, null)),
            Map.entry("GET /web/logout", Expected.refused(400, null)),
            Map.entry("GET /web/user_info", Expected.refused(401, null)),
            Map.entry("GET /web/claims", Expected.refused(401, null)),
            Map.entry("POST /web/refresh", Expected.refused(401, null)));

    /**
     * The first tenant, with one of everything: its default VPC (= organization = user id), a device with a
     * metadata key, a registration key, an invitation.
     */
    private record FirstTenant(String vpc, String device, String regKey, String invitation) {
        static FirstTenant create(String name) {
            String bearer = TestTokens.bearer(Nexd.user(name));
            String vpc = given().header("Authorization", bearer).get("/api/users/me").then().statusCode(200)
                    .extract().path("id");
            String device = new Nexd().register(bearer, vpc, "").then().statusCode(201).extract().path("id");
            given().header("Authorization", bearer).contentType(ContentType.JSON).body("{\"a\":1}")
                    .put("/api/devices/" + device + "/metadata/k").then().statusCode(200);
            String regKey = given().header("Authorization", bearer).contentType(ContentType.JSON)
                    .body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"mine\"}").post("/api/reg-keys")
                    .then().statusCode(201).extract().path("id");
            String invitation = given().header("Authorization", bearer).contentType(ContentType.JSON)
                    .body("{\"organization_id\":\"" + vpc + "\",\"email\":\"friend-" + vpc + "@example.org\"}")
                    .post("/api/invitations").then().statusCode(201).extract().path("id");
            return new FirstTenant(vpc, device, regKey, invitation);
        }
    }

    @Test
    void aSecondTenantIsRefusedOnEveryRoute() throws Exception {
        FirstTenant a = FirstTenant.create("alice");
        String vpc = a.vpc();
        UUID aliceId = UUID.fromString(vpc);
        String device = a.device();
        String regKey = a.regKey();
        String invitation = a.invitation();
        // A's ids by the resource family a path starts with (A's organization, default VPC, user and default
        // security group share one id, as in Nexodus)
        Map<String, String> ids = Map.of("organizations", vpc, "vpcs", vpc, "devices", device, "reg-keys", regKey,
                "users", vpc, "security-groups", vpc, "invitations", invitation);
        List<String> aliceIds = List.of(vpc, device, regKey, invitation);

        String malloryName = Nexd.user("mallory");
        String mallory = TestTokens.bearer(malloryName);
        String malloryId = Nexd.defaultVpc(malloryName);
        String before = snapshot(aliceId);

        List<String> refused = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (RouteTableTest.Row row : RouteTableTest.rows()) {
            if (!row.status().equals("live")) {
                continue;
            }
            Expected expected = EXPECTED.get(row.key());
            assertTrue(expected != null, row.key() + " is in the route table but this test cannot place it: add it to EXPECTED");
            String family = row.path().split("/")[row.path().startsWith("/api/") ? 2 : 1];
            String path = row.path().replace("{id}", ids.getOrDefault(family, "?")).replace("{name}", "devices").replace("{uid}", vpc)
                    .replace("{organization}", vpc).replace("{key}", "k");
            assertTrue(!path.contains("?"), row.key() + ": no id of A for " + family);
            String body = expected.body() == null ? "{}" : expected.body().replace("{AORG}", vpc).replace("{AVPC}", vpc)
                    .replace("{ME}", malloryId).replace("{NEW}", Nexd.user("own")).replace("{KEY}", new Nexd().publicKey);
            Response response = given().header("Authorization", mallory).contentType(ContentType.JSON).body(body)
                    .request(row.method(), path);
            String answer = row.key() + " as another tenant: " + response.statusCode() + " " + response.asString();
            if (expected.status() != response.statusCode()) {
                wrong.add(answer + " (expected " + expected.status() + ")");
            } else if (expected.status() == 200) {
                aliceIds.stream().filter(response.asString()::contains).forEach(id -> wrong.add(answer + " lists A's " + id));
            } else if (expected.status() == 404 && !expected.resource().equals(response.jsonPath().getString("resource"))) {
                wrong.add(answer + " (expected resource " + expected.resource() + ")");
            } else if (expected.status() == 403 && !"forbidden".equals(response.jsonPath().getString("error"))) {
                wrong.add(answer + " (expected a forbidden body)");
            }
            refused.add(row.key() + "=" + response.statusCode());
        }
        assertEquals(List.of(), wrong, "answers other than pinned");
        assertEquals(EXPECTED.size(), refused.size(), "EXPECTED names routes the route table has not: " + EXPECTED.keySet());
        assertEquals(before, snapshot(aliceId), "nothing of the first tenant changed");
        System.out.printf("tenant isolation: %d routes tried by a second tenant on the first tenant's resources,"
                + " each answered as pinned, nothing changed: %s%n", refused.size(), refused);
    }

    /**
     * The same refusals under Funqy and CloudEvents: a second tenant names the first tenant's ids in a
     * function's input, called by its Funqy name and as a binary-mode CloudEvent, and gets the same 404 naming
     * the resource as over REST; nothing of the first tenant changes. {A…} are A's ids.
     */
    private static final Map<String, String[]> FUNCTIONS = Map.ofEntries(
            Map.entry("get-organization", new String[] {"{\"id\":\"{AORG}\"}", "organization"}),
            Map.entry("delete-organization", new String[] {"{\"id\":\"{AORG}\"}", "organization"}),
            Map.entry("list-organization-users", new String[] {"{\"id\":\"{AORG}\"}", "organization"}),
            Map.entry("get-vpc", new String[] {"{\"id\":\"{AVPC}\"}", "vpc"}),
            Map.entry("update-vpc", new String[] {"{\"id\":\"{AVPC}\",\"description\":\"pwned\"}", "vpc"}),
            Map.entry("delete-vpc", new String[] {"{\"id\":\"{AVPC}\"}", "vpc"}),
            Map.entry("create-vpc", new String[] {"{\"organization_id\":\"{AORG}\",\"description\":\"mine now\"}", "organization"}),
            Map.entry("list-peers", new String[] {"{\"id\":\"{AVPC}\"}", "vpc"}),
            Map.entry("get-device", new String[] {"{\"id\":\"{ADEV}\"}", "device"}),
            Map.entry("update-device", new String[] {"{\"id\":\"{ADEV}\",\"hostname\":\"pwned\"}", "device"}),
            Map.entry("delete-device", new String[] {"{\"id\":\"{ADEV}\"}", "device"}),
            Map.entry("rotate-device-token", new String[] {"{\"id\":\"{ADEV}\"}", "device"}),
            Map.entry("register-device", new String[] {"{\"vpc_id\":\"{AVPC}\",\"public_key\":\"{KEY}\"}", "vpc"}),
            Map.entry("get-reg-key", new String[] {"{\"id\":\"{AKEY}\"}", "reg-key"}),
            Map.entry("update-reg-key", new String[] {"{\"id\":\"{AKEY}\",\"description\":\"pwned\"}", "reg-key"}),
            Map.entry("delete-reg-key", new String[] {"{\"id\":\"{AKEY}\"}", "reg-key"}),
            Map.entry("create-reg-key", new String[] {"{\"vpc_id\":\"{AVPC}\"}", "vpc"}),
            Map.entry("get-security-group", new String[] {"{\"id\":\"{AVPC}\"}", "security-group"}),
            Map.entry("delete-security-group", new String[] {"{\"id\":\"{AVPC}\"}", "security-group"}),
            Map.entry("get-invitation", new String[] {"{\"id\":\"{AINV}\"}", "invitation"}),
            Map.entry("accept-invitation", new String[] {"{\"id\":\"{AINV}\"}", "invitation"}),
            Map.entry("delete-invitation", new String[] {"{\"id\":\"{AINV}\"}", "invitation"}));

    @Test
    void aSecondTenantIsRefusedUnderFunqyAndCloudEventsToo() throws Exception {
        FirstTenant a = FirstTenant.create("alice-fn");
        String vpc = a.vpc();
        UUID aliceId = UUID.fromString(vpc);
        String device = a.device();
        String regKey = a.regKey();
        String invitation = a.invitation();
        String mallory = TestTokens.bearer(Nexd.user("mallory-fn"));
        String before = snapshot(aliceId);

        Map<String, String> types = new java.util.HashMap<>();
        for (io.quarkus.funqy.runtime.FunctionInvoker function : io.quarkus.funqy.runtime.FunctionRecorder.registry.invokers()) {
            io.quarkus.funqy.knative.events.CloudEventMapping mapping = function.getMethod()
                    .getAnnotation(io.quarkus.funqy.knative.events.CloudEventMapping.class);
            types.put(function.getName(), mapping == null || mapping.trigger().isEmpty() ? function.getName() : mapping.trigger());
        }
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String[]> call : FUNCTIONS.entrySet()) {
            assertTrue(types.containsKey(call.getKey()), "no function " + call.getKey());
            String body = call.getValue()[0].replace("{AORG}", vpc).replace("{AVPC}", vpc).replace("{ADEV}", device)
                    .replace("{AKEY}", regKey).replace("{AINV}", invitation).replace("{KEY}", new Nexd().publicKey);
            Response funqy = given().header("Authorization", mallory).contentType(ContentType.JSON).body(body)
                    .post("/" + call.getKey());
            Response event = given().header("Authorization", mallory).header("ce-specversion", "1.0")
                    .header("ce-id", UUID.randomUUID().toString()).header("ce-source", "/tests/tenancy")
                    .header("ce-type", types.get(call.getKey())).contentType(ContentType.JSON).body(body).post("/");
            for (Response response : List.of(funqy, event)) {
                String resource = response.statusCode() == 404 ? response.jsonPath().getString("resource") : null;
                if (response.statusCode() != 404 || !call.getValue()[1].equals(resource)) {
                    wrong.add(call.getKey() + (response == funqy ? " (Funqy)" : " (CloudEvent)") + ": "
                            + response.statusCode() + " " + response.asString() + ", expected 404 " + call.getValue()[1]);
                }
            }
        }
        assertEquals(List.of(), wrong, "answers other than a 404 naming the resource");
        assertEquals(before, snapshot(aliceId), "nothing of the first tenant changed");
        System.out.printf("tenant isolation: %d functions tried by a second tenant under Funqy and CloudEvents%n",
                FUNCTIONS.size());
    }
}

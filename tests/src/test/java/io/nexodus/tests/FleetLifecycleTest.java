package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.shared.crypto.TokenSeal;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Fleet lifecycle beyond Nexodus (docs/compatibility.md, "Fleet lifecycle") on the real stack: ephemeral devices
 * removed by gc after inactivity like a delete (peer lists, watch streams, IPAM), registration keys with usage limits
 * that hold under a race, expiry and revocation each refused with its own answer, device tokens that expire and
 * rotate. Time passes by ageing timestamps in the database; gc runs as the schedule does (the service token).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class FleetLifecycleTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    private long count(String sql, Object... args) {
        return db.preparedQuery(sql).execute(Tuple.from(args)).await().indefinitely().iterator().next().getLong(0);
    }

    private void lastSeen(int minutesAgo, String... ids) {
        for (String id : ids) {
            db.preparedQuery("UPDATE devices SET last_seen_at = now() - $2 * interval '1 minute' WHERE id = $1")
                    .execute(Tuple.of(UUID.fromString(id), minutesAgo)).await().indefinitely();
        }
    }

    /** An agent registered with {@code bearer}: its answer, and its device token opened as nexd does. */
    private record Agent(String id, String token, JsonPath answer) {
        static Agent register(String bearer, String vpc) {
            Nexd nexd = new Nexd();
            JsonPath answer = nexd.register(bearer, vpc, "").then().statusCode(201).extract().jsonPath();
            return new Agent(answer.getString("id"), nexd.open(answer.getString("bearer_token")), answer);
        }
    }

    private static String createKey(String user, String vpc, String extraJson) {
        return "Bearer " + Nexd.regKey(user, vpc, extraJson);
    }

    @Test
    void anEphemeralDeviceOfflineTooLongIsRemovedLikeADeleteAndOneStillThereIsKept() throws Exception {
        String user = Nexd.user("fleet");
        String owner = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        String ephemeralKey = createKey(user, vpc, ",\"ephemeral\":true");
        Agent gone = Agent.register(ephemeralKey, vpc);
        Agent watching = Agent.register(ephemeralKey, vpc);
        Agent recent = Agent.register(ephemeralKey, vpc);
        Agent ordinary = Agent.register(owner, vpc);
        assertTrue(gone.answer().getBoolean("ephemeral"), "a device of an ephemeral key says so");
        assertEquals(false, ordinary.answer().getBoolean("ephemeral"));
        String goneV4 = gone.answer().getString("ipv4_tunnel_ips[0].address");

        String base = this.base.toString().replaceFirst("/$", "");
        try (WatchClient watch = new WatchClient(base, "/api/events", "Bearer " + watching.token(),
                "[{\"kind\":\"device\",\"gt_revision\":0,\"at_tail\":false,\"options\":{\"vpc-id\":\"" + vpc + "\"}}]")) {
            watch.untilTail("device");
            // the watching device holds its stream open (a heartbeat every minute) but its row is as old as the
            // gone one's; the recent one was last seen within the period; an ordinary device is never removed
            lastSeen(31, gone.id(), watching.id(), ordinary.id());
            lastSeen(20, recent.id());
            AddressLedger.sweep();

            JsonObject event;
            do {
                event = watch.next(10);
                assertTrue(!"delete".equals(event.getString("type")) || gone.id().equals(event.getJsonObject("value")
                        .getString("id")), "only the inactive ephemeral device is deleted: " + event);
            } while (!"delete".equals(event.getString("type")));
            assertEquals(gone.id(), event.getJsonObject("value").getString("id"), "watchers see it deleted");
        }
        List<String> peers = given().header("Authorization", owner).get("/api/vpcs/" + vpc + "/devices")
                .then().statusCode(200).extract().path("id");
        assertEquals(List.of(watching.id(), recent.id(), ordinary.id()).stream().sorted().toList(),
                peers.stream().sorted().toList(), "the peer list lost exactly the inactive ephemeral device");
        assertEquals(0, count("SELECT count(*) FROM ipam_addresses WHERE host(address) = $1", goneV4),
                "its address is free again");
        AddressLedger ledger = AddressLedger.read(db);
        assertEquals(0, ledger.addressesWithoutDevice(), ledger.toString());
        assertEquals(0, ledger.devicesWithoutAddresses(), ledger.toString());
        given().header("Authorization", "Bearer " + gone.token()).get("/api/devices/" + gone.id()).then().statusCode(401);
        given().header("Authorization", "Bearer " + recent.token()).get("/api/devices/" + recent.id()).then().statusCode(200);
    }

    @Test
    void aUsageLimitOf10Makes10DevicesOutOf100ParallelRegistrations() throws Exception {
        String user = Nexd.user("burst");
        String vpc = Nexd.defaultVpc(user);
        String key = createKey(user, vpc, ",\"usage_limit\":10");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Response> answers = new ArrayList<>();
        try {
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(() -> new Nexd().register(key, vpc, ""));
            }
            for (Future<Response> f : pool.invokeAll(calls)) {
                answers.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        List<Integer> statuses = answers.stream().map(Response::statusCode).toList();
        assertEquals(10, statuses.stream().filter(s -> s == 201).count(), "statuses " + statuses);
        assertEquals(90, answers.stream().filter(a -> a.statusCode() == 400
                && "reg key exhausted".equals(a.path("error"))).count(), "the others are refused as exhausted");
        assertEquals(10, count("SELECT count(*) FROM devices WHERE owner_id = $1", UUID.fromString(vpc)));
        assertEquals(10, count("SELECT uses FROM reg_keys WHERE owner_id = $1", UUID.fromString(vpc)),
                "one counted use per device, none without one");
        AddressLedger ledger = AddressLedger.read(db);
        assertEquals(2 * ledger.liveDevices(), ledger.allocations(), "the refused ones gave their addresses back");
        given().header("Authorization", key).get("/api/reg-keys/me").then().statusCode(200)
                .body("usage_limit", equalTo(10)).body("uses", equalTo(10));
    }

    @Test
    void expiredRevokedAndExhaustedKeysAreEachRefusedWithTheirOwnAnswer() {
        String user = Nexd.user("keys");
        String owner = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);

        String expired = createKey(user, vpc, ",\"expires_at\":\"2999-01-01T00:00:00Z\",\"description\":\"expiring\"");
        db.preparedQuery("UPDATE reg_keys SET expires_at = now() - interval '1 minute' WHERE description = 'expiring'"
                + " AND owner_id = $1").execute(Tuple.of(UUID.fromString(vpc))).await().indefinitely();
        new Nexd().register(expired, vpc, "").then().statusCode(401).body("reason", equalTo("reg key expired"));

        String revoked = createKey(user, vpc, "");
        String revokedId = given().header("Authorization", revoked).get("/api/reg-keys/me").then().statusCode(200)
                .body("revoked", equalTo(false)).extract().path("id");
        given().header("Authorization", owner).contentType(ContentType.JSON).body("{\"revoked\":true}")
                .patch("/api/reg-keys/" + revokedId).then().statusCode(200)
                .body("revoked", equalTo(true)).body("revoked_at", notNullValue());
        new Nexd().register(revoked, vpc, "").then().statusCode(401).body("reason", equalTo("reg key revoked"));
        given().header("Authorization", owner).get("/api/reg-keys/" + revokedId).then().statusCode(200)
                .body("revoked", equalTo(true));
        given().header("Authorization", owner).contentType(ContentType.JSON).body("{\"revoked\":false}")
                .patch("/api/reg-keys/" + revokedId).then().statusCode(400).body("field", equalTo("revoked"));

        String once = createKey(user, vpc, ",\"usage_limit\":1");
        new Nexd().register(once, vpc, "").then().statusCode(201);
        new Nexd().register(once, vpc, "").then().statusCode(400).body("error", equalTo("reg key exhausted"))
                .body("reason", equalTo("usage limit of 1 reached"));
        assertEquals(1, count("SELECT count(*) FROM devices WHERE owner_id = $1", UUID.fromString(vpc)));

        // bad additions name their field, and store nothing
        for (String bad : List.of("\"usage_limit\":0", "\"usage_limit\":\"ten\"", "\"single_use\":true,\"usage_limit\":2",
                "\"device_token_ttl\":\"soon\"", "\"device_token_ttl\":\"30s\"", "\"ephemeral\":\"yes\"")) {
            String field = bad.contains("usage_limit") ? "usage_limit" : bad.contains("ttl") ? "device_token_ttl" : "ephemeral";
            given().header("Authorization", owner).contentType(ContentType.JSON).body("{\"vpc_id\":\"" + vpc + "\"," + bad + "}")
                    .post("/api/reg-keys").then().statusCode(400).body("field", equalTo(field));
        }
        assertEquals(3, count("SELECT count(*) FROM reg_keys WHERE owner_id = $1", UUID.fromString(vpc)));
    }

    @Test
    void aFleetKeyGetsItsDevicesSealedTokenOnlyWhereNexdReadsItAndARevokedKeyNothing() throws Exception {
        String user = Nexd.user("sealed");
        String owner = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        String key = createKey(user, vpc, "");
        Nexd first = new Nexd();
        String token = first.open(first.register(key, vpc, "").then().statusCode(201).extract().path("bearer_token"));
        Nexd sibling = new Nexd();
        String siblingId = sibling.register(key, vpc, "").then().statusCode(201).extract().path("id");

        // nexd's restart: 409, then PATCH with the key: the answer hands that device its token again
        String id = first.register(key, vpc, "").then().statusCode(409).extract().path("id");
        String again = given().header("Authorization", key).contentType(ContentType.JSON).body("{\"hostname\":\"back\"}")
                .patch("/api/devices/" + id).then().statusCode(200).extract().path("bearer_token");
        assertEquals(token, first.open(again));

        // no read carries a token: not to the key (which would open every sibling's v1 seal with public values),
        // not to the owner, not to a device
        for (String reader : List.of(key, owner, "Bearer " + token)) {
            given().header("Authorization", reader).get("/api/devices").then().statusCode(200)
                    .body("id", hasItem(id)).body("bearer_token", everyItem(nullValue()));
            given().header("Authorization", reader).get("/api/vpcs/" + vpc + "/devices").then().statusCode(200)
                    .body("id", hasItems(id, siblingId)).body("bearer_token", everyItem(nullValue()));
            given().header("Authorization", reader).get("/api/devices/" + id).then().statusCode(200)
                    .body("bearer_token", nullValue());
        }

        // an agent that asks for the v2 seal gets one only its WireGuard private key opens
        String v2 = given().header("Authorization", key).header("Nexodus-Token-Seal", "v2").contentType(ContentType.JSON)
                .body("{\"hostname\":\"back\"}").patch("/api/devices/" + id).then().statusCode(200)
                .extract().path("bearer_token");
        assertEquals(token, TokenSeal.openV2(v2, first.privateKey));
        Nexd fresh = new Nexd();
        String freshV2 = given().header("Authorization", key).header("Nexodus-Token-Seal", "v2").contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\"" + fresh.publicKey + "\"}").post("/api/devices")
                .then().statusCode(201).extract().path("bearer_token");
        assertTrue(TokenSeal.openV2(freshV2, fresh.privateKey).startsWith("DT:"), "v2 on registration too");
        given().header("Authorization", key).header("Nexodus-Token-Seal", "v3").contentType(ContentType.JSON)
                .body("{\"hostname\":\"back\"}").patch("/api/devices/" + id).then().statusCode(400)
                .body("field", equalTo("Nexodus-Token-Seal"));

        // revoked, the key gets nothing at all
        String keyId = given().header("Authorization", key).get("/api/reg-keys/me").then().statusCode(200).extract().path("id");
        given().header("Authorization", owner).contentType(ContentType.JSON).body("{\"revoked\":true}")
                .patch("/api/reg-keys/" + keyId).then().statusCode(200);
        given().header("Authorization", key).get("/api/devices").then().statusCode(401);
        given().header("Authorization", key).contentType(ContentType.JSON).body("{\"hostname\":\"back\"}")
                .patch("/api/devices/" + id).then().statusCode(401);
    }

    @Test
    void aRotatedTokenWorksTheOldOneIsRefusedAndAnExpiredOneSaysSo() {
        String user = Nexd.user("rotor");
        String owner = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        Agent agent = Agent.register(createKey(user, vpc, ",\"device_token_ttl\":\"1h\""), vpc);
        assertTrue(agent.answer().getString("token_expires_at") != null, "a key's token lifetime shows on its devices");
        given().header("Authorization", owner).get("/api/reg-keys").then().statusCode(200)
                .body("[0].device_token_ttl", equalTo("1h0m0s"));
        given().header("Authorization", "Bearer " + agent.token()).get("/api/devices/" + agent.id()).then().statusCode(200);

        JsonPath rotated = given().header("Authorization", owner).post("/api/devices/" + agent.id() + "/token")
                .then().statusCode(200).body("id", equalTo(agent.id())).body("token_expires_at", notNullValue())
                .extract().jsonPath();
        String fresh = openWith(agent, rotated.getString("bearer_token"));
        assertNotEquals(agent.token(), fresh);
        given().header("Authorization", "Bearer " + agent.token()).get("/api/devices/" + agent.id()).then().statusCode(401)
                .body("reason", equalTo("invalid device token"));
        given().header("Authorization", "Bearer " + fresh).get("/api/devices/" + agent.id()).then().statusCode(200);

        // only the owner rotates: not the device itself, not another tenant
        given().header("Authorization", "Bearer " + fresh).post("/api/devices/" + agent.id() + "/token").then().statusCode(403);
        given().header("Authorization", TestTokens.bearer(Nexd.user("eve"))).post("/api/devices/" + agent.id() + "/token")
                .then().statusCode(404);
        given().header("Authorization", owner).post("/api/devices/not-a-uuid/token").then().statusCode(400)
                .body("field", equalTo("id"));

        db.preparedQuery("UPDATE devices SET token_expires_at = now() - interval '1 minute' WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(agent.id()))).await().indefinitely();
        given().header("Authorization", "Bearer " + fresh).get("/api/devices/" + agent.id()).then().statusCode(401)
                .body("reason", equalTo("device token expired"));
        // an owner's rotation is how a device whose token expired gets back in
        String again = openWith(agent, given().header("Authorization", owner).post("/api/devices/" + agent.id() + "/token")
                .then().statusCode(200).extract().path("bearer_token"));
        given().header("Authorization", "Bearer " + again).get("/api/devices/" + agent.id()).then().statusCode(200);

        // a device registered without such a key: a token that never expires, as in Nexodus
        Agent plain = Agent.register(owner, vpc);
        assertEquals(null, plain.answer().getString("token_expires_at"));
        given().header("Authorization", "Bearer " + plain.token()).get("/api/devices/" + plain.id()).then().statusCode(200)
                .body("token_expires_at", nullValue());
    }

    private static String openWith(Agent agent, String sealed) {
        String publicKey = agent.answer().getString("public_key");
        try {
            return io.nexodus.shared.crypto.TokenSeal.openV1(sealed, publicKey);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}

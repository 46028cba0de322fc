package io.nexodus.tests;

import static io.nexodus.tests.SpecCheckedCalls.call;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract test (docs/compatibility.md, "Against Nexodus's own API description"): a scripted run over every live
 * route of the route table (functions/ROUTES.md, the oracle), with success and error answers, each request and each
 * answer validated against Nexodus's own API description ({@code nexodus-spec/swagger.json} and its private one, with
 * the overlay of their known mistakes) by Atlassian's swagger-request-validator. It fails on any difference, on a
 * live route that the run did not exercise with both a success and an error answer, and on a live route that has no
 * description unless {@link #NOT_IN_SPEC} says why. Where we differ on purpose, docs/compatibility.md says so.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = io.nexodus.testing.DiscoveryStub.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class NexodusContractTest {

    /**
     * Live routes that Nexodus's description cannot speak for: our additions (docs/compatibility.md).
     * They are skipped, not validated; one still here when the description gains it fails the test.
     */
    static final Map<String, String> NOT_IN_SPEC = Map.of(
            "POST /api/devices/{id}/token", "our addition (token rotation, docs/compatibility.md 'Fleet lifecycle'): Nexodus has no such route",
            "GET /api/organizations/{id}/events", "our addition (the audit trail, docs/compatibility.md 'Audit trail'): Nexodus has no such route;"
                    + " OutboundEventsTest covers it");

    /**
     * Live routes for which Nexodus's description has no error answer to provoke (public, no input): a
     * success is enough.
     */
    static final Map<String, String> SUCCESS_ONLY = Map.of(
            "POST /device/login/start", "public, takes no input: Nexodus describes only its 200",
            "GET /device/certs", "public, takes no input: Nexodus describes a 500 only");

    /**
     * Live routes whose every success needs a browser signed in at a real identity provider, which this run has
     * not: skipped here, not validated; WebSignInTest drives each through Keycloak.
     */
    static final Map<String, String> NEEDS_SIGN_IN = Map.of(
            "GET /web/login/start", "a 302 to the provider's authorization endpoint: needs its discovery document",
            "GET /web/login/end", "needs a code from the provider",
            "GET /web/user_info", "needs a web session",
            "GET /web/claims", "needs a web session",
            "POST /web/refresh", "needs a web session",
            "GET /web/logout", "a 302 through the provider's end-session endpoint: needs a web session");

    @TestHTTPResource("/")
    URL base;

    private static String random() {
        return UUID.randomUUID().toString();
    }

    @Test
    void everyLiveRouteAnswersAsNexodusDescribesIt() throws Exception {
        long start = System.nanoTime();
        NexodusSpec api = NexodusSpec.load("swagger");
        NexodusSpec ops = NexodusSpec.load("private-swagger");
        long loaded = System.nanoTime();
        SpecCheckedCalls run = new SpecCheckedCalls(api, ops, base);
        Tenant alice = Tenant.of("alice");

        String org = organizations(run, alice);
        membership(run, alice, org);
        String vpc = vpcs(run, alice, org);
        String device = devices(run, alice, vpc);
        watches(run, alice, vpc);
        securityGroups(run, alice, vpc);
        regKeys(run, alice, vpc);
        cleanUp(run, alice, org, vpc, device);
        users(run, alice);
        housekeeping(run);
        identityProviderGlue(run, alice);

        List<String> unexercised = new ArrayList<>();
        int validated = 0;
        java.util.Set<String> called = new java.util.TreeSet<>(run.seen.keySet());
        for (RouteTableTest.Row row : RouteTableTest.rows()) {
            if (!row.status().equals("live")) {
                continue;
            }
            called.remove(row.key());
            if (NOT_IN_SPEC.containsKey(row.key()) || NEEDS_SIGN_IN.containsKey(row.key())) {
                assertTrue(!run.seen.containsKey(row.key()), row.key() + " is skipped, yet called");
                continue;
            }
            SpecCheckedCalls.Seen seen = run.seen.get(row.key());
            if (seen == null || !(seen.successAndError() || SUCCESS_ONLY.containsKey(row.key()) && seen.success())) {
                unexercised.add(row.key() + (seen == null ? " (never called)" : " (answers " + seen.statuses + ")"));
            } else {
                validated++;
            }
        }
        assertTrue(called.isEmpty(), "called, but not a live route of functions/ROUTES.md: " + called);
        long ran = System.nanoTime();
        int requests = run.seen.values().stream().mapToInt(s -> s.requests).sum();
        int responses = run.seen.values().stream().mapToInt(s -> s.responses).sum();
        System.out.printf("contract: %d routes, %d requests and %d responses validated against Nexodus's"
                + " description (%d corrections of its mistakes, %d fields of ours admitted); %d routes not in it, skipped: %s%n",
                validated, requests, responses, api.corrections + ops.corrections, api.additions + ops.additions,
                NOT_IN_SPEC.size(), NOT_IN_SPEC.keySet());
        System.out.printf("contract: descriptions loaded in %.1f s, the run took %.1f s, of which validating %.1f s%n",
                (loaded - start) / 1e9, (ran - loaded) / 1e9, run.validatingNanos / 1e9);
        run.seen.forEach((route, seen) -> System.out.printf("contract:   %-55s %s%n", route, seen.statuses));
        if (!run.differences.isEmpty()) {
            fail(run.differences.size() + " differences from Nexodus's description:\n  "
                    + String.join("\n  ", run.differences));
        }
        if (!unexercised.isEmpty()) {
            fail("live routes not exercised with a success and an error answer (script them here, or name them in"
                    + " NOT_IN_SPEC with the reason):\n  " + String.join("\n  ", unexercised));
        }
    }

    /** A user as the run plays them: their bearer and id (also their default VPC's and organization's). */
    record Tenant(String bearer, String id) {
        static Tenant of(String name) {
            String user = Nexd.user(name);
            return new Tenant(TestTokens.bearer(user), Nexd.defaultVpc(user));
        }
    }

    private static String organizations(SpecCheckedCalls run, Tenant alice) {
        String name = "contract-" + random().substring(0, 8);
        String org = run.send(call("POST /api/organizations").as(alice.bearer())
                .body("{\"name\":\"" + name + "\",\"description\":\"the contract run\"}"), 201).path("id");
        run.send(call("POST /api/organizations").as(alice.bearer()).body("{\"name\":\"" + name + "\"}"), 409);
        run.send(call("POST /api/organizations").as(alice.bearer()).body("{\"description\":\"no name\"}"), 400);
        run.send(call("GET /api/organizations").as(alice.bearer()), 200);
        run.send(call("GET /api/organizations"), 401);
        run.send(call("GET /api/organizations/{id}").as(alice.bearer()).at("id", org), 200);
        run.send(call("GET /api/organizations/{id}").as(alice.bearer()).at("id", random()), 404);
        run.send(call("GET /api/organizations/{id}/users").as(alice.bearer()).at("id", org), 200);
        run.send(call("GET /api/organizations/{id}/users").as(alice.bearer()).at("id", random()), 404);
        run.send(call("GET /api/organizations/{id}/users/{uid}").as(alice.bearer()).at("id", org).at("uid", alice.id()), 200);
        run.send(call("GET /api/organizations/{id}/users/{uid}").as(alice.bearer()).at("id", org).at("uid", random()), 404);
        return org;
    }

    /** Invitations to alice's organization, accepted and declined; members leaving and removed. */
    private static void membership(SpecCheckedCalls run, Tenant alice, String org) {
        Tenant bob = Tenant.of("bob");
        Tenant dave = Tenant.of("dave");
        String toBob = invite(run, alice, org, bob);
        run.send(call("POST /api/invitations").as(alice.bearer()).body("{\"user_id\":\"" + bob.id() + "\"}"), 400);
        run.send(call("GET /api/invitations").as(alice.bearer()), 200);
        run.send(call("GET /api/invitations"), 401);
        run.send(call("GET /api/invitations/{id}").as(bob.bearer()).at("id", toBob), 200);
        run.send(call("GET /api/invitations/{id}").as(bob.bearer()).at("id", random()), 404);
        run.send(call("POST /api/invitations/{id}/accept").as(bob.bearer()).at("id", toBob), 204);
        run.send(call("POST /api/invitations/{id}/accept").as(bob.bearer()).at("id", random()), 404);
        String toDave = invite(run, alice, org, dave);
        run.send(call("DELETE /api/invitations/{id}").as(alice.bearer()).at("id", toDave), 204);
        run.send(call("DELETE /api/invitations/{id}").as(alice.bearer()).at("id", random()), 404);
        run.send(call("POST /api/invitations/{id}/accept").as(dave.bearer()).at("id", invite(run, alice, org, dave)), 204);

        run.send(call("DELETE /api/users/{id}/organizations/{organization}").as(bob.bearer()).at("id", "me")
                .at("organization", org), 200);
        run.send(call("DELETE /api/users/{id}/organizations/{organization}").as(bob.bearer()).at("id", "me")
                .at("organization", random()), 404);
        run.send(call("DELETE /api/organizations/{id}/users/{uid}").as(alice.bearer()).at("id", org).at("uid", dave.id()), 200);
        run.send(call("DELETE /api/organizations/{id}/users/{uid}").as(alice.bearer()).at("id", org).at("uid", random()), 404);
    }

    private static String invite(SpecCheckedCalls run, Tenant owner, String org, Tenant invitee) {
        return run.send(call("POST /api/invitations").as(owner.bearer())
                .body("{\"organization_id\":\"" + org + "\",\"user_id\":\"" + invitee.id() + "\"}"), 201).path("id");
    }

    private static String vpcs(SpecCheckedCalls run, Tenant alice, String org) {
        String vpc = run.send(call("POST /api/vpcs").as(alice.bearer())
                .body("{\"organization_id\":\"" + org + "\",\"description\":\"contract\"}"), 201).path("id");
        run.send(call("POST /api/vpcs").as(alice.bearer()).body("{\"description\":\"no organization\"}"), 400);
        run.send(call("GET /api/vpcs").as(alice.bearer()), 200);
        run.send(call("GET /api/vpcs"), 401);
        run.send(call("GET /api/vpcs/{id}").as(alice.bearer()).at("id", vpc), 200);
        run.send(call("GET /api/vpcs/{id}").as(alice.bearer()).at("id", random()), 404);
        run.send(call("PATCH /api/vpcs/{id}").as(alice.bearer()).at("id", vpc).body("{\"description\":\"renamed\"}"), 200);
        run.send(call("PATCH /api/vpcs/{id}").as(alice.bearer()).at("id", random()).body("{\"description\":\"x\"}"), 404);
        return vpc;
    }

    private static String devices(SpecCheckedCalls run, Tenant alice, String vpc) {
        Nexd agent = new Nexd();
        String add = "{\"vpc_id\":\"" + vpc + "\",\"public_key\":\"" + agent.publicKey + "\",\"hostname\":\"contract\","
                + "\"os\":\"linux\",\"endpoints\":[{\"source\":\"local\",\"address\":\"172.17.0.3:51820\"}]}";
        String device = run.send(call("POST /api/devices").as(alice.bearer()).body(add), 201).path("id");
        run.send(call("POST /api/devices").as(alice.bearer()).body(add), 409);
        run.send(call("POST /api/devices").as(alice.bearer()).body("{\"vpc_id\":\"" + vpc + "\"}"), 400);
        run.send(call("GET /api/devices").as(alice.bearer()), 200);
        run.send(call("GET /api/devices"), 401);
        run.send(call("GET /api/devices/{id}").as(alice.bearer()).at("id", device), 200);
        run.send(call("GET /api/devices/{id}").as(alice.bearer()).at("id", random()), 404);
        run.send(call("PATCH /api/devices/{id}").as(alice.bearer()).at("id", device).body("{\"hostname\":\"renamed\"}"), 200);
        run.send(call("PATCH /api/devices/{id}").as(alice.bearer()).at("id", random()).body("{\"hostname\":\"x\"}"), 404);

        String relay = "{\"type\":\"wireguard\",\"address\":\"1.2.3.4:51820\"}";
        run.send(call("PUT /api/devices/{id}/metadata/{key}").as(alice.bearer()).at("id", device).at("key", "relay")
                .body(relay), 200);
        run.send(call("PUT /api/devices/{id}/metadata/{key}").as(alice.bearer()).at("id", random()).at("key", "relay")
                .body(relay), 404);
        run.send(call("GET /api/devices/{id}/metadata").as(alice.bearer()).at("id", device), 200);
        run.send(call("GET /api/devices/{id}/metadata").as(alice.bearer()).at("id", random()), 404);
        run.send(call("GET /api/devices/{id}/metadata/{key}").as(alice.bearer()).at("id", device).at("key", "relay"), 200);
        run.send(call("GET /api/devices/{id}/metadata/{key}").as(alice.bearer()).at("id", device).at("key", "none"), 404);

        run.send(call("GET /api/vpcs/{id}/devices").as(alice.bearer()).at("id", vpc), 200);
        run.send(call("GET /api/vpcs/{id}/devices").as(alice.bearer()).at("id", random()), 404);
        run.send(call("GET /api/vpcs/{id}/metadata").as(alice.bearer()).at("id", vpc), 200);
        run.send(call("GET /api/vpcs/{id}/metadata").as(alice.bearer()).at("id", random()), 404);
        return device;
    }

    /** Watch streams, read to the tail of each kind asked for (nexd's three on /api/events, docs/upstream.md). */
    private static void watches(SpecCheckedCalls run, Tenant alice, String vpc) throws Exception {
        String options = "\"options\":{\"vpc-id\":\"" + vpc + "\"}";
        run.watch(call("POST /api/events").as(alice.bearer()).body("[{\"kind\":\"device\"," + options + "},"
                + "{\"kind\":\"security-group\"," + options + "},{\"kind\":\"device-metadata\"," + options + "}]"),
                "device", "security-group", "device-metadata");
        run.send(call("POST /api/events").as(alice.bearer()).body("[{\"kind\":\"no-such-kind\"}]"), 400);
        run.watch(call("POST /api/vpcs/{id}/events").as(alice.bearer()).at("id", vpc).body("[{\"kind\":\"device\"}]"),
                "device");
        run.send(call("POST /api/vpcs/{id}/events").as(alice.bearer()).at("id", vpc)
                .body("[{\"kind\":\"no-such-kind\"}]"), 400);
    }

    private static void securityGroups(SpecCheckedCalls run, Tenant alice, String vpc) {
        String rules = "\"inbound_rules\":[{\"ip_protocol\":\"tcp\",\"from_port\":22,\"to_port\":22,"
                + "\"ip_ranges\":[\"10.0.0.0/8\"]}],\"outbound_rules\":[]";
        String group = run.send(call("POST /api/security-groups").as(alice.bearer())
                .body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"ssh\"," + rules + "}"), 201).path("id");
        run.send(call("POST /api/security-groups").as(alice.bearer()).body("{\"description\":\"no vpc\"}"), 400);
        run.send(call("POST /api/security-groups").as(alice.bearer()).body("{\"vpc_id\":\"" + vpc + "\","
                + "\"inbound_rules\":[{\"ip_protocol\":\"tcp\",\"from_port\":9,\"to_port\":1}]}"), 422);
        run.send(call("GET /api/security-groups").as(alice.bearer()), 200);
        run.send(call("GET /api/security-groups"), 401);
        run.send(call("GET /api/security-groups/{id}").as(alice.bearer()).at("id", group), 200);
        run.send(call("GET /api/security-groups/{id}").as(alice.bearer()).at("id", random()), 404);
        run.send(call("PATCH /api/security-groups/{id}").as(alice.bearer()).at("id", group)
                .body("{\"description\":\"renamed\"}"), 200);
        run.send(call("PATCH /api/security-groups/{id}").as(alice.bearer()).at("id", random())
                .body("{\"description\":\"x\"}"), 404);
        run.send(call("GET /api/vpcs/{id}/security-groups").as(alice.bearer()).at("id", vpc), 200);
        run.send(call("GET /api/vpcs/{id}/security-groups").as(alice.bearer()).at("id", random()), 404);
        run.send(call("DELETE /api/security-groups/{id}").as(alice.bearer()).at("id", group), 200);
        // the VPC's default group has the VPC's id, and cannot go
        run.send(call("DELETE /api/security-groups/{id}").as(alice.bearer()).at("id", vpc), 400);
    }

    private static void regKeys(SpecCheckedCalls run, Tenant alice, String vpc) {
        String key = run.send(call("POST /api/reg-keys").as(alice.bearer())
                .body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"contract\"}"), 201).path("id");
        run.send(call("POST /api/reg-keys").as(alice.bearer()).body("{\"description\":\"no vpc\"}"), 400);
        run.send(call("GET /api/reg-keys").as(alice.bearer()), 200);
        run.send(call("GET /api/reg-keys"), 401);
        run.send(call("GET /api/reg-keys/{id}").as(alice.bearer()).at("id", key), 200);
        run.send(call("GET /api/reg-keys/{id}").as(alice.bearer()).at("id", random()), 404);
        run.send(call("PATCH /api/reg-keys/{id}").as(alice.bearer()).at("id", key).body("{\"description\":\"renamed\"}"), 200);
        run.send(call("PATCH /api/reg-keys/{id}").as(alice.bearer()).at("id", random()).body("{\"description\":\"x\"}"), 404);
        run.send(call("DELETE /api/reg-keys/{id}").as(alice.bearer()).at("id", key), 200);
        run.send(call("DELETE /api/reg-keys/{id}").as(alice.bearer()).at("id", random()), 404);
    }

    private static void cleanUp(SpecCheckedCalls run, Tenant alice, String org, String vpc, String device) {
        run.send(call("DELETE /api/devices/{id}/metadata/{key}").as(alice.bearer()).at("id", device).at("key", "relay"), 204);
        run.send(call("DELETE /api/devices/{id}/metadata/{key}").as(alice.bearer()).at("id", random()).at("key", "relay"), 404);
        run.send(call("DELETE /api/devices/{id}/metadata").as(alice.bearer()).at("id", device), 204);
        run.send(call("DELETE /api/devices/{id}/metadata").as(alice.bearer()).at("id", random()), 404);
        run.send(call("DELETE /api/devices/{id}").as(alice.bearer()).at("id", device), 200);
        run.send(call("DELETE /api/devices/{id}").as(alice.bearer()).at("id", random()), 404);
        run.send(call("DELETE /api/vpcs/{id}").as(alice.bearer()).at("id", vpc), 200);
        run.send(call("DELETE /api/vpcs/{id}").as(alice.bearer()).at("id", alice.id()), 400);
        run.send(call("DELETE /api/organizations/{id}").as(alice.bearer()).at("id", org), 200);
        run.send(call("DELETE /api/organizations/{id}").as(alice.bearer()).at("id", alice.id()), 400);
    }

    private static void users(SpecCheckedCalls run, Tenant alice) {
        run.send(call("GET /api/users").as(alice.bearer()), 200);
        run.send(call("GET /api/users"), 401);
        run.send(call("GET /api/users/{id}").as(alice.bearer()).at("id", "me"), 200);
        run.send(call("GET /api/users/{id}").as(alice.bearer()).at("id", random()), 404);
        run.send(call("GET /api/users/{id}").as(alice.bearer()).at("id", "not-a-uuid"), 400);
        Tenant carol = Tenant.of("carol");
        run.send(call("DELETE /api/users/{id}").as(carol.bearer()).at("id", "me"), 200);
        run.send(call("DELETE /api/users/{id}").as(alice.bearer()).at("id", random()), 404);
    }

    /**
     * The auth function's routes (functions/ROUTES.md), scripted ahead of it: each step runs once its route is live in
     * the route table, so this run needs no edit when the function lands, only when its answers differ.
     */
    private static void identityProviderGlue(SpecCheckedCalls run, Tenant alice) throws Exception {
        Map<String, Boolean> live = new java.util.HashMap<>();
        for (RouteTableTest.Row row : RouteTableTest.rows()) {
            live.put(row.key(), row.status().equals("live"));
        }
        if (live.getOrDefault("GET /api/fflags", false)) {
            run.send(call("GET /api/fflags").as(alice.bearer()), 200);
            run.send(call("GET /api/fflags"), 401);
        }
        if (live.getOrDefault("GET /api/fflags/{name}", false)) {
            run.send(call("GET /api/fflags/{name}").as(alice.bearer()).at("name", "devices"), 200);
            run.send(call("GET /api/fflags/{name}").as(alice.bearer()).at("name", "no-such-flag"), 404);
        }
        if (live.getOrDefault("POST /device/login/start", false)) {
            run.send(call("POST /device/login/start"), 200);
        }
        if (live.getOrDefault("GET /device/certs", false)) {
            run.send(call("GET /device/certs"), 200);
        }
    }

    /** gc, described in Nexodus's private description. */
    private static void housekeeping(SpecCheckedCalls run) {
        run.send(call("GET /private/gc").as(TestTokens.serviceBearer()), 204);
        run.send(call("GET /private/gc").as(TestTokens.serviceBearer()).query("retention", "1s"), 400);
    }
}

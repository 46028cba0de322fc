package io.nexodus.fn.regkeys;

import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.fn.regkeys.Inputs.AddRegKey;
import io.nexodus.fn.regkeys.Inputs.RegKeyRef;
import io.nexodus.fn.regkeys.Inputs.UpdateRegKey;
import io.nexodus.shared.access.Access;
import io.nexodus.shared.crypto.BearerTokens;
import io.nexodus.shared.crypto.SecretsAtRest;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.events.Change;
import io.nexodus.shared.events.EventType;
import io.nexodus.shared.events.Outbox;
import io.nexodus.shared.http.CloudEventRequests;
import io.nexodus.shared.http.Descriptions;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CurrentCaller;
import io.nexodus.shared.store.ListParams;
import io.nexodus.shared.store.ListQuery;
import io.nexodus.shared.store.Page;
import io.nexodus.shared.store.Rows;
import io.nexodus.shared.identity.RequiresScope;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code reg-keys} function: registration keys, the onboarding tokens a device registers with
 * (Nexodus's internal/handlers/reg_key.go). Any member of a VPC's organization may create one; the key's owner (and
 * owners of its organization) may read it; only its owner may change or delete it.
 */
@OncePerEvent
@ApplicationScoped
public class RegKeys {

    /** Go's zero time: Nexodus clients send it to clear an expiry. */
    static final OffsetDateTime ZERO_TIME = OffsetDateTime.parse("0001-01-01T00:00:00Z");

    private static final Map<String, String> COLUMNS = Map.of("id", "k.id", "owner_id", "k.owner_id",
            "vpc_id", "k.vpc_id", "description", "k.description", "device_id", "k.device_id",
            "expires_at", "k.expires_at", "security_group_id", "k.security_group_id");

    /** The emitter named in its events' {@code source}. */
    private static final String FUNCTION = "reg-keys";

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    CloudEventRequests cloudEvents;

    /** The server key that keeps device tokens, and registration keys, encrypted at rest. */
    @ConfigProperty(name = "nexodus.device-token-key")
    Optional<String> serverKey;

    /** The AAD's purpose of a key's ciphertext: "nexodus-reg-key:<key id>". */
    private static final String PURPOSE = "reg-key";

    @Inject
    Access access;

    @Inject
    Outbox outbox;

    @Funq("list-reg-keys")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.regkeys.list", responseType = "io.nexodus.regkeys.listed")
    public Uni<List<RegKey>> list(ListParams params) {
        return page(params).map(Page::items);
    }

    /** Keys the caller owns, and keys of organizations the caller owns. */
    Uni<Page<RegKey>> page(ListParams params) {
        return ListQuery.of(params, COLUMNS, "id").run(db, RegKey.COLUMNS,
                "FROM reg_keys k WHERE k.deleted_at IS NULL AND (k.owner_id = $1 OR EXISTS (SELECT 1"
                        + " FROM user_organizations uo WHERE uo.organization_id = k.organization_id"
                        + " AND uo.user_id = $1 AND 'owner' = ANY (uo.roles)))",
                List.of(caller.get().userId()), RegKey::from);
    }

    @Funq("create-reg-key")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.regkey.create", responseType = "io.nexodus.regkey.created")
    public Uni<RegKey> create(AddRegKey input) {
        Caller me = caller.get();
        if (input == null) {
            throw ApiErrors.fieldNotPresent("vpc_id");
        }
        UUID vpcId = Ids.requiredUuid(input.vpcId(), "vpc_id");
        UUID securityGroupId = input.securityGroupId() == null || input.securityGroupId().isEmpty() ? null
                : Ids.requiredUuid(input.securityGroupId(), "security_group_id");
        String description = Descriptions.of(input.description());
        OffsetDateTime expiresAt = input.expiresAt() == null || input.expiresAt().equals(ZERO_TIME) ? null
                : input.expiresAt();
        if (expiresAt != null && expiresAt.isBefore(OffsetDateTime.now())) {
            throw ApiErrors.invalidField("expires_at", "already in the past");
        }
        KeyPolicy policy = KeyPolicy.of(input);
        UUID id = UUID.randomUUID();
        UUID deviceId = Boolean.TRUE.equals(input.singleUse()) ? UUID.randomUUID() : null;
        String token = BearerTokens.newRegKey();
        return db.withTransaction(conn -> access.requireVpcMember(conn, me, vpcId, "vpc")
                .call(orgId -> securityGroupId == null ? Uni.createFrom().voidItem()
                        : access.requireSecurityGroupIn(conn, securityGroupId, orgId, "security_group_id"))
                .flatMap(orgId -> conn.preparedQuery("INSERT INTO reg_keys (id, owner_id, organization_id, vpc_id,"
                                + " token_hash, description, device_id, expires_at, security_group_id, settings, usage_limit,"
                                + " ephemeral, device_token_ttl_seconds, token_ciphertext)"
                                + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING "
                                + RegKey.COLUMNS.replace("k.", ""))
                        .execute(Tuple.from(Arrays.asList(id, me.userId(), orgId, vpcId, BearerTokens.hash(token),
                                description, deviceId, expiresAt, securityGroupId,
                                input.settings() == null ? null : new JsonObject(input.settings()), policy.usageLimit(),
                                policy.ephemeral(), policy.tokenTtlSeconds(),
                                // without a server key (a function configured without one), shown once only
                                serverKey.isEmpty() ? null
                                        : io.vertx.core.buffer.Buffer.buffer(atRest().encrypt(PURPOSE, id, token)))))
                        .call(rows -> outbox.record(conn, FUNCTION,
                                new Change(EventType.REG_KEY_CREATED, id, orgId, RegKey.from(rows.iterator().next())))))
                .map(rows -> RegKey.from(rows.iterator().next())
                        // a CloudEvent's reply goes back into the Broker, readable by every subscriber
                        .withBearerToken(cloudEvents.current() ? null : token)));
    }

    @Funq("get-reg-key")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.regkey.get", responseType = "io.nexodus.regkey.fetched")
    public Uni<RegKey> get(RegKeyRef ref) {
        Caller me = caller.get();
        String id = ref == null ? null : ref.id();
        if (me.kind() == Caller.Kind.REG_KEY) {
            // an agent learns its VPC, owner, security group and settings from the key it holds
            if (!"me".equals(id)) {
                throw ApiErrors.validation("with a registration key the id must be me", "id");
            }
            return load(db, me.credentialId(), "k.id = $2", me.credentialId());
        }
        UUID keyId = Ids.pathUuid(id, "id");
        return load(db, keyId, "(k.owner_id = $2 OR EXISTS (SELECT 1 FROM user_organizations uo WHERE"
                + " uo.organization_id = k.organization_id AND uo.user_id = $2 AND 'owner' = ANY (uo.roles)))", me.userId())
                .flatMap(key -> me.userId().equals(key.ownerId()) && !cloudEvents.current() ? withItsToken(key)
                        : Uni.createFrom().item(key));
    }

    /**
     * The key with its token, for the user who created it and nobody else (the organization's other owners see
     * the key, not its secret): the web console shows the token and the nexd command line after creating a key.
     * Never in a CloudEvent's reply. Keys created before the token was kept encrypted have none to show.
     */
    private Uni<RegKey> withItsToken(RegKey key) {
        return db.preparedQuery("SELECT token_ciphertext FROM reg_keys WHERE id = $1").execute(Tuple.of(key.id()))
                .map(rows -> {
                    var stored = rows.iterator().next().getBuffer("token_ciphertext");
                    return stored == null ? key : key.withBearerToken(atRest().decrypt(PURPOSE, key.id(), stored.getBytes()));
                });
    }

    private SecretsAtRest atRest() {
        return new SecretsAtRest(serverKey);
    }

    @Funq("update-reg-key")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.regkey.update", responseType = "io.nexodus.regkey.updated")
    public Uni<RegKey> update(UpdateRegKey input) {
        Caller me = caller.get();
        UUID id = Ids.pathUuid(input == null ? null : input.id(), "id");
        UUID securityGroupId = input.securityGroupId() == null || input.securityGroupId().isEmpty() ? null
                : Ids.requiredUuid(input.securityGroupId(), "security_group_id");
        String description = input.description() == null ? null : Descriptions.of(input.description());
        boolean clearExpiry = ZERO_TIME.equals(input.expiresAt());
        boolean revoke = Boolean.TRUE.equals(input.revoked());
        return db.withTransaction(conn -> load(conn, id, "k.owner_id = $2 FOR UPDATE", me.userId())
                .invoke(key -> {
                    if (key.revoked() && Boolean.FALSE.equals(input.revoked())) {
                        throw ApiErrors.invalidField("revoked", "a revoked key stays revoked; create a new one");
                    }
                })
                .call(key -> organizationOf(conn, id).flatMap(orgId -> securityGroupId == null ? Uni.createFrom().voidItem()
                                : access.requireSecurityGroupIn(conn, securityGroupId, orgId, "security_group_id")))
                .flatMap(key -> conn.preparedQuery("UPDATE reg_keys k SET description = coalesce($2, description),"
                                + " expires_at = CASE WHEN $3 THEN NULL ELSE coalesce($4, expires_at) END,"
                                + " security_group_id = coalesce($5, security_group_id),"
                                + " settings = coalesce($6, settings),"
                                + " revoked_at = CASE WHEN $7 THEN coalesce(revoked_at, now()) ELSE revoked_at END"
                                + " WHERE id = $1 RETURNING " + RegKey.COLUMNS)
                        .execute(Tuple.from(Arrays.asList(id, description, clearExpiry,
                                clearExpiry ? null : input.expiresAt(), securityGroupId,
                                input.settings() == null ? null : new JsonObject(input.settings()), revoke)))
                        .map(rows -> RegKey.from(rows.iterator().next())))
                .call(key -> changed(conn, EventType.REG_KEY_UPDATED, key)));
    }

    @Funq("delete-reg-key")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.regkey.delete", responseType = "io.nexodus.regkey.deleted")
    public Uni<RegKey> delete(RegKeyRef ref) {
        Caller me = caller.get();
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        return db.withTransaction(conn -> load(conn, id, "k.owner_id = $2 FOR UPDATE", me.userId())
                .call(key -> conn.preparedQuery("UPDATE reg_keys SET deleted_at = now() WHERE id = $1")
                        .execute(Tuple.of(id)))
                .call(key -> changed(conn, EventType.REG_KEY_DELETED, key)));
    }

    /** Its event, for the audit trail of the key's organization (the key's JSON never holds its token here). */
    private Uni<Void> changed(SqlClient conn, EventType type, RegKey key) {
        return organizationOf(conn, key.id()).flatMap(orgId -> outbox.record(conn, FUNCTION,
                new Change(type, key.id(), orgId, key)));
    }

    private static Uni<UUID> organizationOf(SqlClient conn, UUID keyId) {
        return conn.preparedQuery("SELECT organization_id FROM reg_keys WHERE id = $1").execute(Tuple.of(keyId))
                .map(rows -> rows.iterator().next().getUUID(0));
    }

    /** A live key matching {@code condition} (parameter $1 is the id, $2 the given value), else 404. */
    private static Uni<RegKey> load(SqlClient db, UUID id, String condition, UUID value) {
        return db.preparedQuery("SELECT " + RegKey.COLUMNS + " FROM reg_keys k WHERE k.id = $1 AND k.deleted_at IS NULL"
                        + " AND " + condition)
                .execute(Tuple.of(id, value))
                .map(Rows.one("reg-key", RegKey::from));
    }
}

package io.nexodus.shared.identity;

import io.nexodus.shared.crypto.BearerTokens;
import io.nexodus.shared.error.ApiErrors;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Registration keys ({@code RK:}) and device tokens ({@code DT:}) as bearer tokens. Nexodus needed an
 * Envoy ext_authz hop to turn them into JWTs; here they are looked up directly, by their SHA-256, in
 * one indexed query. Revoking (deleting the key or device, revoking the key, rotating the device's token)
 * takes effect on the next request; so does expiry (a key's {@code expires_at}, a device token's
 * {@code token_expires_at}), each refused with a reason that says which.
 */
@ApplicationScoped
public class OpaqueTokens {

    @Inject
    Pool db;

    public static boolean isOpaque(String token) {
        return token.startsWith(BearerTokens.REG_KEY_PREFIX) || token.startsWith(BearerTokens.DEVICE_TOKEN_PREFIX);
    }

    public Uni<Caller> resolve(String token) {
        return lookup(token.startsWith(BearerTokens.REG_KEY_PREFIX), BearerTokens.hash(token));
    }

    /**
     * The per-request lookup of a registration key by its token's SHA-256 ($1). Public so that the fleet
     * simulator's direct baseline (bench/fleet) issues the very statement a registration with a key costs.
     */
    public static final String REG_KEY_LOOKUP_SQL = sql(true, "= $1");

    /** The per-request lookup of a device token by its SHA-256 ($1): every nexd request after registering. */
    public static final String DEVICE_TOKEN_LOOKUP_SQL = sql(false, "= $1");

    /** One place that says what makes a key or device token valid: live row, live owner, not revoked, not expired. */
    private static String sql(boolean regKey, String hashCondition) {
        return regKey
                ? "SELECT k.token_hash, k.id, k.owner_id, k.vpc_id, k.expires_at, k.revoked_at IS NOT NULL AS revoked, u.idp_id"
                        + " FROM reg_keys k JOIN users u ON u.id = k.owner_id"
                        + " AND u.deleted_at IS NULL WHERE k.token_hash " + hashCondition + " AND k.deleted_at IS NULL"
                : "SELECT d.token_hash, d.id, d.owner_id, d.vpc_id, d.token_expires_at AS expires_at, false AS revoked, u.idp_id FROM devices d"
                        + " JOIN users u ON u.id = d.owner_id AND u.deleted_at IS NULL"
                        + " WHERE d.token_hash " + hashCondition + " AND d.deleted_at IS NULL";
    }

    /** Why the row's credential does not stand any more, or null when it does. */
    private static String refusal(boolean regKey, Row row) {
        if (row.getBoolean("revoked")) {
            return "reg key revoked";
        }
        OffsetDateTime expires = row.getOffsetDateTime("expires_at");
        if (expires != null && expires.isBefore(OffsetDateTime.now())) {
            return regKey ? "reg key expired" : "device token expired";
        }
        return null;
    }

    private Uni<Caller> lookup(boolean regKey, byte[] tokenHash) {
        return db.preparedQuery(regKey ? REG_KEY_LOOKUP_SQL : DEVICE_TOKEN_LOOKUP_SQL).execute(Tuple.of(tokenHash)).map(rows -> {
            if (rows.size() == 0) {
                throw ApiErrors.unauthorized(regKey ? "invalid reg key" : "invalid device token");
            }
            Row row = rows.iterator().next();
            String refusal = refusal(regKey, row);
            if (refusal != null) {
                throw ApiErrors.unauthorized(refusal);
            }
            return new Caller(row.getUUID("owner_id"), row.getString("idp_id"),
                    regKey ? Caller.Kind.REG_KEY : Caller.Kind.DEVICE_TOKEN, row.getUUID("id"), row.getUUID("vpc_id"), tokenHash);
        });
    }

    /**
     * The same checks as {@link #resolve}, again, for many credentials of one kind in one query: whether keys or
     * device tokens resolved earlier still stand (a replica's open watch streams outlive the requests that opened
     * them, and are re-checked together so that the database's work does not grow with their number). By the
     * token's hash, not the credential's id: a rotated device token belongs to a device that still exists.
     *
     * @return the hashes among {@code tokenHashes} whose credential still stands
     */
    public Uni<Set<ByteBuffer>> stillStanding(boolean regKey, Collection<byte[]> tokenHashes) {
        if (tokenHashes.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        // bytea[] takes Vert.x core buffers
        io.vertx.core.buffer.Buffer[] hashes = tokenHashes.stream().map(io.vertx.core.buffer.Buffer::buffer)
                .toArray(io.vertx.core.buffer.Buffer[]::new);
        return db.preparedQuery(sql(regKey, "= ANY($1)")).execute(Tuple.of(hashes)).map(rows -> {
            Set<ByteBuffer> standing = new HashSet<>();
            for (Row row : rows) {
                if (refusal(regKey, row) == null) {
                    standing.add(ByteBuffer.wrap(row.getDelegate().getBuffer("token_hash").getBytes()));
                }
            }
            return standing;
        });
    }
}

package io.nexodus.shared.identity;

import io.nexodus.shared.crypto.BearerTokens;
import io.nexodus.shared.error.ApiErrors;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;

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
     * The same checks again, by the token's hash (not the credential's id: a rotated device token belongs to a
     * device that still exists): whether a registration key or device token resolved earlier still stands (a
     * watch stream outlives the request that opened it).
     */
    public Uni<Caller> again(Caller caller) {
        return lookup(caller.kind() == Caller.Kind.REG_KEY, caller.tokenHash());
    }

    /** One place that says what makes a key or device token valid: live row, live owner, not revoked, not expired. */
    private Uni<Caller> lookup(boolean regKey, byte[] tokenHash) {
        String sql = regKey
                ? "SELECT k.id, k.owner_id, k.vpc_id, k.expires_at, k.revoked_at IS NOT NULL AS revoked, u.idp_id"
                        + " FROM reg_keys k JOIN users u ON u.id = k.owner_id"
                        + " AND u.deleted_at IS NULL WHERE k.token_hash = $1 AND k.deleted_at IS NULL"
                : "SELECT d.id, d.owner_id, d.vpc_id, d.token_expires_at AS expires_at, false AS revoked, u.idp_id FROM devices d"
                        + " JOIN users u ON u.id = d.owner_id AND u.deleted_at IS NULL"
                        + " WHERE d.token_hash = $1 AND d.deleted_at IS NULL";
        return db.preparedQuery(sql).execute(Tuple.of(tokenHash)).map(rows -> {
            if (rows.size() == 0) {
                throw ApiErrors.unauthorized(regKey ? "invalid reg key" : "invalid device token");
            }
            Row row = rows.iterator().next();
            if (row.getBoolean("revoked")) {
                throw ApiErrors.unauthorized("reg key revoked");
            }
            OffsetDateTime expires = row.getOffsetDateTime("expires_at");
            if (expires != null && expires.isBefore(OffsetDateTime.now())) {
                throw ApiErrors.unauthorized(regKey ? "reg key expired" : "device token expired");
            }
            return new Caller(row.getUUID("owner_id"), row.getString("idp_id"),
                    regKey ? Caller.Kind.REG_KEY : Caller.Kind.DEVICE_TOKEN, row.getUUID("id"), row.getUUID("vpc_id"), tokenHash);
        });
    }
}

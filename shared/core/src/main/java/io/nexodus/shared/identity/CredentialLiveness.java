package io.nexodus.shared.identity;

import io.nexodus.shared.error.ApiErrors;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Whether a caller resolved earlier still stands: its user not deleted, its registration key not deleted,
 * expired nor revoked, its device not deleted and its token not expired (the conditions
 * {@link OpaqueTokens} checks at the door). A request is authorised once, when it arrives; a watch stream lives
 * for minutes, so it asks again from time to time ({@code fetch-peers}), as Nexodus cut its streams.
 */
@ApplicationScoped
public class CredentialLiveness {

    @Inject
    Pool db;

    private static final String USER = "SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL";
    private static final String REG_KEY = "SELECT 1 FROM reg_keys k JOIN users u ON u.id = k.owner_id"
            + " AND u.deleted_at IS NULL WHERE k.id = $1 AND k.deleted_at IS NULL"
            + " AND (k.expires_at IS NULL OR k.expires_at > now()) AND k.revoked_at IS NULL";
    private static final String DEVICE = "SELECT 1 FROM devices d JOIN users u ON u.id = d.owner_id"
            + " AND u.deleted_at IS NULL WHERE d.id = $1 AND d.deleted_at IS NULL"
            + " AND (d.token_expires_at IS NULL OR d.token_expires_at > now())";

    /** Completes if the credential still stands, else fails with a 401 saying it no longer does. */
    public Uni<Void> require(Caller caller) {
        String sql = switch (caller.kind()) {
            case USER_TOKEN -> USER;
            case REG_KEY -> REG_KEY;
            case DEVICE_TOKEN -> DEVICE;
            case SERVICE -> null;
        };
        if (sql == null) {
            return Uni.createFrom().voidItem();
        }
        Object id = caller.kind() == Caller.Kind.USER_TOKEN ? caller.userId() : caller.credentialId();
        return db.preparedQuery(sql).execute(Tuple.of(id)).map(rows -> {
            if (rows.size() == 0) {
                throw ApiErrors.unauthorized("the credential was revoked");
            }
            return null;
        });
    }
}

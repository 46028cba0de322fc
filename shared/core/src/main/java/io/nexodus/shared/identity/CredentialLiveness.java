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

    @Inject
    OpaqueTokens opaqueTokens;

    private static final String USER = "SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL";

    /** Completes if the credential still stands, else fails with a 401 saying why it no longer does. */
    public Uni<Void> require(Caller caller) {
        return switch (caller.kind()) {
            case USER_TOKEN -> db.preparedQuery(USER).execute(Tuple.of(caller.userId())).map(rows -> {
                if (rows.size() == 0) {
                    throw ApiErrors.unauthorized("the user was deleted");
                }
                return null;
            });
            // the very checks a key or device token met when it arrived, by its id
            case REG_KEY, DEVICE_TOKEN -> opaqueTokens.again(caller).replaceWithVoid();
            case SERVICE, SCHEDULE -> Uni.createFrom().voidItem();
        };
    }
}

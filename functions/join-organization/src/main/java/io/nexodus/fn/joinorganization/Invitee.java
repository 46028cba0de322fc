package io.nexodus.fn.joinorganization;

import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.http.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.Locale;
import java.util.UUID;

/**
 * Whom an invitation is for: a user by id, or an email address. An address is normalized (trimmed,
 * lower-cased) and resolved to the user holding it as a verified email; when nobody does yet the
 * invitation waits, and {@code UserProvisioner} fills in the user when one signs in with that address.
 *
 * @param userId the user invited by id, else null
 * @param email  the normalized address invited, else null
 */
record Invitee(UUID userId, String email) {

    static final int MAX_EMAIL = 320;

    /** Exactly one of {@code userId} and {@code email}, else 400 naming the field. */
    static Invitee of(String userId, String email) {
        boolean byId = userId != null && !userId.isBlank();
        String normalized = email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
        boolean byEmail = !normalized.isEmpty();
        if (byId == byEmail) {
            throw byId ? ApiErrors.invalidField("email", "give either user_id or email, not both")
                    : ApiErrors.fieldNotPresent("user_id");
        }
        if (byId) {
            return new Invitee(Ids.requiredUuid(userId, "user_id"), null);
        }
        int at = normalized.indexOf('@');
        if (at < 1 || at == normalized.length() - 1 || normalized.length() > MAX_EMAIL
                || normalized.chars().anyMatch(Character::isWhitespace)) {
            throw ApiErrors.invalidField("email", "not an email address");
        }
        return new Invitee(null, normalized);
    }

    /** The request field that named the invitee, for errors about them. */
    String field() {
        return userId != null ? "user_id" : "email";
    }

    /** The live user invited: by id (404 naming {@code user} if there is none), or by verified email (maybe nobody). */
    Uni<UUID> resolve(SqlClient db) {
        if (userId != null) {
            return db.preparedQuery("SELECT id FROM users WHERE id = $1 AND deleted_at IS NULL")
                    .execute(Tuple.of(userId))
                    .map(rows -> {
                        if (rows.size() == 0) {
                            throw ApiErrors.notFound("user");
                        }
                        return userId;
                    });
        }
        return db.preparedQuery("SELECT e.user_id FROM user_identities e JOIN users u ON u.id = e.user_id"
                        + " AND u.deleted_at IS NULL WHERE e.kind = 'email' AND e.value = $1")
                .execute(Tuple.of(email))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID(0));
    }
}

package io.nexodus.shared.websession;

import io.nexodus.shared.crypto.BearerTokens;
import io.nexodus.shared.crypto.SecretsAtRest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@code web_sessions} rows (V11__web_sessions.sql). The cookie's value is 32 random bytes; the row keeps its
 * SHA-256 only, so a read of the table opens no session. The provider's tokens are encrypted under the server key
 * ({@link SecretsAtRest}), each bound to the row's id and its column.
 */
@ApplicationScoped
public class WebSessionStore {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS = "id, version, issuer, subject, access_token, access_expires_at, refresh_token, id_token";

    @Inject
    Pool db;

    @Inject
    WebSettings settings;

    @ConfigProperty(name = "nexodus.device-token-key")
    Optional<String> keyBase64;

    /** A new session (a new id and cookie value every sign-in: a cookie planted before sign-in never becomes one). */
    public Uni<String> create(ProviderTokens tokens, String issuer, String subject) {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String cookie = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        UUID id = UUID.randomUUID();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        SecretsAtRest atRest = atRest();
        return db.preparedQuery("INSERT INTO web_sessions (id, sid_hash, issuer, subject, access_token, refresh_token,"
                        + " id_token, access_expires_at, created_at, idle_expires_at, absolute_expires_at)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .execute(Tuple.from(new Object[] {id, BearerTokens.hash(cookie), issuer, subject,
                        atRest.encrypt("web-access-token", id, tokens.accessToken()),
                        seal(atRest, "web-refresh-token", id, tokens.refreshToken()),
                        seal(atRest, "web-id-token", id, tokens.idToken()), accessExpiry(now, tokens), now,
                        min(now.plus(settings.idle()), now.plus(settings.max())), now.plus(settings.max())}))
                .replaceWith(cookie);
    }

    /**
     * The live session of a cookie, or null; its idle expiry slides forward (never past the absolute one), in the
     * same statement that finds it.
     */
    public Uni<WebSession> findAndTouch(String cookie) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return db.preparedQuery("UPDATE web_sessions SET idle_expires_at = LEAST($2, absolute_expires_at)"
                        + " WHERE sid_hash = $1 AND idle_expires_at > $3 AND absolute_expires_at > $3 RETURNING " + COLUMNS)
                .execute(Tuple.of(BearerTokens.hash(cookie), now.plus(settings.idle()), now))
                .map(this::first);
    }

    /** The session's row, locked until the transaction ends: refreshes of one session run one at a time. */
    public Uni<WebSession> lock(SqlConnection tx, UUID id) {
        return tx.preparedQuery("SELECT " + COLUMNS + " FROM web_sessions WHERE id = $1 FOR UPDATE")
                .execute(Tuple.of(id)).map(this::first);
    }

    /** New tokens on a locked row; a refresh answer without a refresh or id token keeps the one it had. */
    public Uni<WebSession> refreshed(SqlConnection tx, WebSession old, ProviderTokens tokens) {
        SecretsAtRest atRest = atRest();
        UUID id = old.id();
        return tx.preparedQuery("UPDATE web_sessions SET access_token = $2, refresh_token = $3, id_token = $4,"
                        + " access_expires_at = $5, version = version + 1 WHERE id = $1 RETURNING " + COLUMNS)
                .execute(Tuple.of(id, atRest.encrypt("web-access-token", id, tokens.accessToken()),
                        seal(atRest, "web-refresh-token", id, tokens.refreshToken() != null ? tokens.refreshToken() : old.refreshToken()),
                        seal(atRest, "web-id-token", id, tokens.idToken() != null ? tokens.idToken() : old.idToken()),
                        accessExpiry(OffsetDateTime.now(ZoneOffset.UTC), tokens)))
                .map(this::first);
    }

    /** @return the session deleted, if the cookie had one */
    public Uni<WebSession> delete(String cookie) {
        return db.preparedQuery("DELETE FROM web_sessions WHERE sid_hash = $1 RETURNING " + COLUMNS)
                .execute(Tuple.of(BearerTokens.hash(cookie))).map(this::first);
    }

    public Uni<Void> delete(UUID id) {
        return db.preparedQuery("DELETE FROM web_sessions WHERE id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }

    /** gc: sessions past their idle or absolute expiry. */
    public Uni<Long> sweep(OffsetDateTime now) {
        return db.preparedQuery("DELETE FROM web_sessions WHERE idle_expires_at <= $1 OR absolute_expires_at <= $1")
                .execute(Tuple.of(now.withOffsetSameInstant(ZoneOffset.UTC))).map(rows -> (long) rows.rowCount());
    }

    private WebSession first(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return null;
        }
        Row row = rows.iterator().next();
        UUID id = row.getUUID("id");
        SecretsAtRest atRest = atRest();
        return new WebSession(id, row.getInteger("version"), row.getString("issuer"), row.getString("subject"),
                atRest.decrypt("web-access-token", id, row.getBuffer("access_token").getBytes()),
                row.getOffsetDateTime("access_expires_at").toInstant(),
                open(atRest, "web-refresh-token", id, row), open(atRest, "web-id-token", id, row));
    }

    private static String open(SecretsAtRest atRest, String purpose, UUID id, Row row) {
        String column = purpose.equals("web-refresh-token") ? "refresh_token" : "id_token";
        var stored = row.getBuffer(column);
        return stored == null ? null : atRest.decrypt(purpose, id, stored.getBytes());
    }

    private static byte[] seal(SecretsAtRest atRest, String purpose, UUID id, String secret) {
        return secret == null ? null : atRest.encrypt(purpose, id, secret);
    }

    /** Without {@code expires_in}, a minute: the token is then refreshed early rather than used expired. */
    private static OffsetDateTime accessExpiry(OffsetDateTime now, ProviderTokens tokens) {
        return now.plusSeconds(tokens.expiresIn() > 0 ? tokens.expiresIn() : 60);
    }

    private static OffsetDateTime min(OffsetDateTime a, OffsetDateTime b) {
        return a.isBefore(b) ? a : b;
    }

    private SecretsAtRest atRest() {
        return new SecretsAtRest(keyBase64);
    }
}

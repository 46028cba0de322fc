package io.nexodus.shared.websession;

import io.nexodus.shared.error.ApiErrors;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * A cookie's live session with an access token that is good for the request at hand: refreshed at the provider
 * when it expires (or is about to).
 *
 * <p>Refreshes are safe under concurrent calls, across replicas: the refresh runs with the session's row locked
 * ({@code FOR UPDATE}), and a caller that got the lock after another refreshed (the row's version moved on, or the
 * token is fresh) uses that result instead of refreshing again: one provider call per expiry, however many of the
 * console's calls arrive together (a provider that rotates refresh tokens would refuse the second use of one).
 */
@ApplicationScoped
public class WebSessions {

    @Inject
    WebSessionStore store;

    @Inject
    TokenEndpoint tokens;

    @Inject
    Pool db;

    /** The live session, its access token fresh; 401 when the cookie has none (ended, expired, never signed in). */
    public Uni<WebSession> current(String cookie) {
        return store.findAndTouch(cookie).flatMap(seen -> {
            if (seen == null) {
                return Uni.createFrom().failure(ended());
            }
            return seen.accessExpiresSoon(Instant.now()) ? refresh(seen) : Uni.createFrom().item(seen);
        });
    }

    private Uni<WebSession> refresh(WebSession seen) {
        return db.withTransaction(tx -> store.lock(tx, seen.id()).flatMap(locked -> {
                    if (locked == null) {
                        return Uni.createFrom().failure(ended());
                    }
                    if (locked.version() != seen.version() || !locked.accessExpiresSoon(Instant.now())) {
                        return Uni.createFrom().item(locked); // another call refreshed it while this one waited
                    }
                    if (locked.refreshToken() == null) {
                        return Uni.createFrom().failure(new TokenEndpoint.Refused("no refresh token"));
                    }
                    return tokens.refresh(locked.refreshToken()).flatMap(fresh -> store.refreshed(tx, locked, fresh));
                }))
                // the provider ended the session (signed out there, idle too long, user disabled): so do we
                .onFailure(TokenEndpoint.Refused.class)
                .recoverWithUni(refused -> store.delete(seen.id()).flatMap(ignored -> Uni.createFrom().failure(ended())));
    }

    static RuntimeException ended() {
        return ApiErrors.unauthorized("no web session, or it has ended: sign in again (/web/login/start)");
    }
}

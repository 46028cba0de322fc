package io.nexodus.shared.startup;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Cold start: the first request of a fresh replica pays for verifying a token (SmallRye JWT, jose4j, RSA,
 * fetching the provider's keys) and for opening a PostgreSQL connection (the pg codec), several hundred
 * classes loaded and run for the first time. Scale-from-zero makes that first request the one a user waits
 * on, so at start-up, off the main thread and without delaying readiness, this does the same work once:
 * it opens one pool connection (which stays in the pool) and verifies a token that cannot pass (signed by a
 * key nobody has, expired), which loads and exercises the verification path and prefetches the keys.
 * Failures are expected and ignored (logged at DEBUG): nothing here changes what any request sees.
 * Off by default ({@code nexodus.startup.warm-up=false}): on this project's 2-core benchmark machine it did
 * not shorten spawn → first answer (docs/benchmarks.md), since the work competes with the main thread,
 * with the keys in a file or served over HTTP; it may pay off where a pod has a spare core while booting.
 */
@ApplicationScoped
public class WarmUp {

    private static final Logger LOG = Logger.getLogger(WarmUp.class);

    /** RS256, iss/aud "nexodus-warm-up", expired in 1970, signed by a throw-away key: never valid. */
    static final String UNVERIFIABLE_TOKEN = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJuZXhvZHVzLXdhcm0tdXAiLCJzdW"
            + "IiOiJ3YXJtLXVwIiwiYXVkIjoid2FybS11cCIsImV4cCI6MSwiaWF0IjowfQ.XqtY_8zkyEbYGGhDUzFTx2sF25vxOrh1AI-ik9Ajxu"
            + "KAPXxBldOprOfwAZ5oFFVHqp7twHUM89kzDQKBea_dmArPqt1OlLh1vP3tDoCSutqvVUeRKwZcXozFYi5WTqHoeJ0ilF9SHIAEMgRB"
            + "7rc9FGNs6981-8RujM1gewbVQ6gaa8_15-0WnlN7_0gjEuxTIyXP2kXWZrRWR4dmwliUsilL1OQ52lSwo_Q9Wfs2qiIi771MuPM-E4U"
            + "gr9DMyCjtr2FfNM-gpVaA6KpRqDwSDKtfT0oyXfbmcdC2jnfj5lxkZUw6aHSlCFXLQCQ0zzszoEQWYL0VHb70U_fj38Q4zQ";

    @Inject
    Pool pool;

    @Inject
    JWTParser jwtParser;

    @ConfigProperty(name = "nexodus.startup.warm-up", defaultValue = "false")
    boolean enabled;

    void onStart(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        pool.query("SELECT 1").execute().subscribe().with(
                rows -> LOG.debug("warm-up: store connection open"),
                failure -> LOG.debugf("warm-up: store not reachable yet (%s)", failure.getMessage()));
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                jwtParser.parse(UNVERIFIABLE_TOKEN);
            } catch (ParseException | RuntimeException expected) {
                LOG.debugf("warm-up: token verification path loaded (%s)", expected.getClass().getSimpleName());
            }
        });
    }
}

package io.nexodus.shared.identity;

import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.error.ApiException;
import io.nexodus.shared.http.FunqyDispatch;
import io.nexodus.shared.http.ErrorResponses;
import io.nexodus.shared.websession.SessionAuthentication;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Authenticates every request once, before any binding runs, so the Nexodus REST routes, the Funqy
 * HTTP invocations and CloudEvents share one rule: a bearer token is required (except on the public
 * paths), it is verified, and the caller is resolved to a local user who is provisioned on first
 * contact. The result is a {@link Caller} on the routing context; a failure is a 401 with a JSON body. A REST
 * request without a bearer token may instead carry the web console's session cookie ({@link SessionAuthentication}):
 * its session's access token is then verified exactly as a bearer token would be. A bearer token, when present,
 * wins over the cookie.
 *
 * <p>Why not Quarkus's proactive HTTP authentication: it answers 401 with an empty body, and a
 * {@code @RolesAllowed} denial inside a Funqy function surfaces as a 500 (seen with Quarkus 3.33.2). Here
 * the token may also come from the binary-mode CloudEvent extension {@code ce-authorization}, which
 * survives delivery through a Knative Broker where the {@code Authorization} header does not.
 */
@ApplicationScoped
public class BearerAuthentication {

    /** Runs after Quarkus's body handler (which is ordered near Integer.MIN_VALUE) and before any route. */
    static final int ORDER = Integer.MIN_VALUE + 1_000;

    @Inject
    TrustedIssuers issuers;

    @Inject
    UserProvisioner users;

    @Inject
    OpaqueTokens opaqueTokens;

    @Inject
    ServiceToken serviceToken;

    @Inject
    SessionAuthentication sessions;

    private final VerifiedTokens verified = new VerifiedTokens();

    @ConfigProperty(name = PublicPaths.SETTING)
    List<String> publicPaths;

    /**
     * The longest-lived user token an event may carry: what a Broker holds and fans out should expire soon
     * (Keycloak's access tokens: 5-10 minutes; many providers: 1 hour).
     */
    @ConfigProperty(name = "nexodus.events.max-token-lifetime", defaultValue = "PT1H")
    Duration maxEventTokenLifetime;

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::authenticate);
    }

    void authenticate(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (isPublic(path) || isCorsPreflight(ctx)) {
            ctx.next();
            return;
        }
        FunqyDispatch dispatch;
        try {
            dispatch = FunqyDispatch.of(ctx); // what Funqy will run decides what is authorized: refuse the ambiguous first
        } catch (ApiException ambiguous) {
            ErrorResponses.write(ctx, ambiguous);
            return;
        }
        String token = bearerToken(ctx, dispatch);
        if (token == null && CredentialScope.isScheduleTick(ctx.request().method(), dispatch)) {
            // the schedule's tick needs no secret: gc rate-limits what it can start (CollectGarbage)
            ctx.put(Caller.CONTEXT_KEY, Caller.schedule());
            ctx.next();
            return;
        }
        // the console's session cookie, on REST routes only (dispatch == null): Funqy and CloudEvents are for
        // programs, which hold tokens; a cookie a browser attaches must not reach them
        String session = token == null && dispatch == null ? SessionAuthentication.cookie(ctx) : null;
        if (token == null && session == null) {
            ErrorResponses.write(ctx, ApiErrors.unauthorized("a bearer token is required"));
            return;
        }
        ApiException crossSite = session == null ? null : sessions.refusal(ctx);
        if (crossSite != null) {
            ErrorResponses.write(ctx, crossSite);
            return;
        }
        boolean event = dispatch != null && dispatch.isCloudEvent();
        if (event && token != null && OpaqueTokens.isOpaque(token)) {
            // an event passes through the Broker, where every matching Trigger's subscriber (and a persistent
            // broker's storage) sees its ce-authorization: no fleet key or device token may travel that way
            ErrorResponses.write(ctx, ApiErrors.unauthorized("a CloudEvent may carry only a short-lived user token,"
                    + " never a registration key or device token (docs/events.md)"));
            return;
        }
        Context vertxContext = Vertx.currentContext();
        // the body may still be arriving when no body handler ran before us: hold it while we look up the caller
        boolean paused = !ctx.request().isEnded();
        if (paused) {
            ctx.request().pause();
        }
        // a session holds an identity-provider access token only: never the service token or an opaque one
        Uni<Caller> caller = session != null
                ? sessions.accessToken(session).flatMap(access -> userCaller(ctx, path, dispatch, access, false))
                : serviceToken.matches(token) ? Uni.createFrom().item(Caller.service())
                : OpaqueTokens.isOpaque(token) ? opaqueTokens.resolve(token)
                : userCaller(ctx, path, dispatch, token, event);
        caller.emitOn(task -> vertxContext.runOnContext(ignored -> task.run()))
                .subscribe().with(resolved -> {
                    resumeIf(ctx, paused);
                    if (!CredentialScope.allows(resolved, ctx.request().method(), path, dispatch)) {
                        ErrorResponses.write(ctx, ApiErrors.forbidden(switch (resolved.kind()) {
                            case REG_KEY -> "a registration key may not call this";
                            case SERVICE -> "the service token may only start scheduled work";
                            default -> "a device token may not call this";
                        }));
                        return;
                    }
                    ctx.put(Caller.CONTEXT_KEY, resolved);
                    ctx.next();
                }, failure -> {
                    resumeIf(ctx, paused);
                    ErrorResponses.write(ctx, failure);
                });
    }

    /** An identity-provider access token's user: verified, its scope checked, provisioned on first contact. */
    private Uni<Caller> userCaller(RoutingContext ctx, String path, FunqyDispatch dispatch, String token, boolean event) {
        return profile(token).call(profile -> event ? shortLived(profile) : Uni.createFrom().voidItem())
                .flatMap(profile -> checkScope(ctx, path, dispatch, profile).flatMap(ignored -> users.resolve(profile))
                        .map(userId -> Caller.user(userId, profile.subject())));
    }

    /**
     * A browser's CORS preflight carries no credential by design (Fetch standard): Quarkus's CORS filter, which
     * runs after this route, answers it (allowed origin or not) and it reaches no function.
     */
    static boolean isCorsPreflight(RoutingContext ctx) {
        return ctx.request().method() == io.vertx.core.http.HttpMethod.OPTIONS
                && ctx.request().getHeader("Origin") != null
                && ctx.request().getHeader("Access-Control-Request-Method") != null;
    }

    /** A path that takes no token ({@link PublicPaths}). */
    boolean isPublic(String path) {
        return PublicPaths.covers(publicPaths, path);
    }

    /**
     * An identity-provider token must carry the scope the request needs (Nexodus's internal/routers/token.rego),
     * whichever binding serves it; checked before the user is looked up, so a refused token costs no database work.
     */
    private static Uni<Void> checkScope(RoutingContext ctx, String path, FunqyDispatch dispatch, TokenProfile profile) {
        String needed = ScopeRules.required(ctx.request().method(), path, dispatch).orElse(null);
        return needed == null || profile.scopes().contains(needed) ? Uni.createFrom().voidItem()
                : Uni.createFrom().failure(ApiErrors.missingScope(needed));
    }

    /** A user token carried by a CloudEvent: issued for at most {@code nexodus.events.max-token-lifetime}. */
    private Uni<Void> shortLived(TokenProfile profile) {
        return profile.lifetimeSeconds() <= maxEventTokenLifetime.toSeconds() ? Uni.createFrom().voidItem()
                : Uni.createFrom().failure(ApiErrors.unauthorized("a CloudEvent may carry only a user token issued for"
                        + " at most " + maxEventTokenLifetime.toMinutes() + " minutes; this one was issued for "
                        + profile.lifetimeSeconds() / 60 + " (docs/events.md)"));
    }

    /** The token's profile: from the replica's memory of verified tokens, else verified now. */
    private Uni<TokenProfile> profile(String token) {
        TokenProfile known = verified.get(token);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return verify(token).map(jwt -> {
            // issuer + subject is who the caller is: without a subject every such token of an issuer would be
            // one shared account (an empty sub), or no account at all (a missing one)
            if (jwt.getSubject() == null || jwt.getSubject().isBlank()) {
                throw ApiErrors.unauthorized("the token names no subject (sub)");
            }
            TokenProfile profile = TokenProfile.of(jwt);
            verified.put(token, profile, jwt.getExpirationTime());
            return profile;
        });
    }

    private static void resumeIf(RoutingContext ctx, boolean paused) {
        if (paused && !ctx.request().isEnded()) {
            ctx.request().resume();
        }
    }

    /**
     * Signature, issuer, expiry and audience are checked by SmallRye JWT against the keys of the issuer
     * the token names ({@link TrustedIssuers}). Fetching a JWKS may block, so verification runs off the
     * event loop.
     */
    private Uni<JsonWebToken> verify(String token) {
        return Uni.createFrom().<JsonWebToken>emitter(emitter -> {
            try {
                emitter.complete(issuers.verify(token));
            } catch (ParseException e) {
                emitter.fail(ApiErrors.unauthorized(onlyExpired(e) ? "token expired" : "invalid token"));
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /**
     * A token whose one fault is its age (signature, issuer and audience all good) is told so: the caller
     * should log in again, not look for what is wrong with the token.
     */
    static boolean onlyExpired(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.jose4j.jwt.consumer.InvalidJwtException invalid) {
                return !invalid.getErrorDetails().isEmpty() && invalid.getErrorDetails().stream()
                        .allMatch(d -> d.getErrorCode() == org.jose4j.jwt.consumer.ErrorCodes.EXPIRED);
            }
        }
        return false;
    }

    static String bearerToken(RoutingContext ctx, FunqyDispatch dispatch) {
        // On a CloudEvent the extension names who the event acts for, and wins over the Authorization header:
        // with Knative's OIDC sender identity on, a Broker puts its own delivery token (a service account's,
        // for the subscriber's audience) there, which says who delivered, not for whom (docs/events.md).
        // The extension is a CloudEvent's, never a second way to authenticate a plain REST call.
        String header = dispatch != null && dispatch.isCloudEvent() ? ctx.request().getHeader("ce-authorization") : null;
        if (header == null) {
            header = ctx.request().getHeader("Authorization");
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /** @return the caller of the request being handled; only absent on public paths. */
    public static Caller callerOf(RoutingContext ctx) {
        Caller caller = ctx.get(Caller.CONTEXT_KEY);
        if (caller == null) {
            throw new ApiException(401, ApiErrors.unauthorized("a bearer token is required").body());
        }
        return caller;
    }
}

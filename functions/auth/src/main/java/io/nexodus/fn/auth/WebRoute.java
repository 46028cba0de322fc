package io.nexodus.fn.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.error.ApiException;
import io.nexodus.shared.websession.Cookies;
import io.nexodus.shared.websession.SessionAuthentication;
import io.nexodus.shared.websession.WebSession;
import io.nexodus.shared.websession.WebSessions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The web console's backend-for-frontend routes (Nexodus's {@code /web} group, internal/routers/routers.go): public
 * paths (nexodus.auth.public-paths), since the session cookie is what they take. REST only: a browser's routes.
 */
@Path("/web")
@Produces(MediaType.APPLICATION_JSON)
public class WebRoute {

    @Inject
    WebSignIn signIn;

    @Inject
    WebSessions sessions;

    @Inject
    SessionAuthentication cookieRules;

    @Inject
    WebUserInfo userInfo;

    @Inject
    ObjectMapper mapper;

    @Context
    UriInfo uri;

    @GET
    @Path("/login/start")
    public Uni<Response> start(@QueryParam("redirect") String redirect, @QueryParam("failure") String failure) {
        return signIn.start(redirect, failure, base()).map(Redirect::response);
    }

    @GET
    @Path("/login/end")
    public Uni<Response> end(@QueryParam("code") String code, @QueryParam("state") String state,
            @QueryParam("error") String error, @CookieParam(SignInCookies.STATE) String pendingState,
            @CookieParam(SignInCookies.NONCE) String nonce, @CookieParam(SignInCookies.VERIFIER) String verifier,
            @CookieParam(SignInCookies.REDIRECT) String redirect, @CookieParam(SignInCookies.FAILURE) String failure,
            @CookieParam(Cookies.SESSION) String session) {
        return signIn.end(code, state, error, new WebSignIn.Pending(pendingState, nonce, verifier, redirect, failure, session),
                base()).map(Redirect::response);
    }

    @GET
    @Path("/logout")
    public Uni<Response> logout(@QueryParam("redirect") String redirect, @CookieParam(Cookies.SESSION) String session) {
        return signIn.logout(redirect, session, base()).map(Redirect::response);
    }

    /** 204 once the session's access token is fresh (refreshed at the provider if it had expired, as Nexodus). */
    @POST
    @Path("/refresh")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> refresh(@CookieParam(Cookies.SESSION) String session, @HeaderParam("Origin") String origin) {
        // without a session, 401 (as every route without a credential); with one, the cookie's write rule
        ApiException crossSite = session == null || session.isBlank() ? null : cookieRules.refusal(HttpMethod.POST, origin);
        if (crossSite != null) {
            throw crossSite;
        }
        return current(session).map(ignored -> Response.noContent().build());
    }

    @GET
    @Path("/user_info")
    public Uni<WebUserInfo.UserInfo> userInfo(@CookieParam(Cookies.SESSION) String session) {
        return current(session).flatMap(s -> userInfo.of(s.accessToken()));
    }

    /**
     * The ID token's claims (Nexodus meant to answer them, but decoded into a nil map and answered 500). The token
     * was verified when the session began, and later ones come straight from the provider's token endpoint.
     */
    @GET
    @Path("/claims")
    public Uni<Map<String, Object>> claims(@CookieParam(Cookies.SESSION) String session) {
        return current(session).map(s -> {
            if (s.idToken() == null) {
                throw ApiErrors.notFound("id_token");
            }
            try {
                String payload = s.idToken().split("\\.")[1];
                @SuppressWarnings("unchecked")
                Map<String, Object> claims = mapper.readValue(new String(Base64.getUrlDecoder().decode(payload),
                        StandardCharsets.UTF_8), Map.class);
                return claims;
            } catch (Exception e) {
                throw ApiErrors.unavailable("the session's ID token cannot be read");
            }
        });
    }

    private Uni<WebSession> current(String session) {
        return session == null || session.isBlank()
                ? Uni.createFrom().failure(ApiErrors.unauthorized("no web session: sign in (/web/login/start)"))
                : sessions.current(session);
    }

    /** This API host as the browser reached it (nexodus.web.public-url overrides it behind a proxy). */
    private String base() {
        String base = uri.getBaseUri().toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}

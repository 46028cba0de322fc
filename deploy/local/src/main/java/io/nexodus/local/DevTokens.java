package io.nexodus.local;

import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.identity.DevTokenIssuer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * {@code GET /dev/token?username=bob}: a token for any user name, to try multi-tenancy locally. Exists
 * only in the local all-in-one (this module is never deployed).
 */
@Path("/dev/token")
public class DevTokens {

    static volatile DevTokenIssuer issuer;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, String> token(@RestQuery String username) {
        if (username == null || !username.matches("[A-Za-z0-9._-]{1,64}")) {
            throw ApiErrors.invalidField("username", "1 to 64 letters, digits, '.', '_' or '-'");
        }
        return Map.of("access_token", issuer.token(username), "token_type", "Bearer");
    }
}

package io.nexodus.testing;

import static io.restassured.RestAssured.given;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.UUID;

/** Users for tests: names no other test uses, provisioned on their first request as in production. */
public final class TestUsers {

    private TestUsers() {
    }

    /** {@code prefix-xxxxxxxx}: a user (or organization) name of this test alone. */
    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Provisions {@code user} with a first request to {@code anyRoute} (a GET of the application under test:
     * a function's test application holds only that function's routes) and returns the user's id, which is
     * also the id of their personal organization and default VPC.
     */
    public static String provision(Pool db, String user, String anyRoute) {
        given().header("Authorization", TestTokens.bearer(user)).get(anyRoute).then().statusCode(200);
        return idOf(db, user);
    }

    /**
     * The id of {@code user}, provisioned by a request the test made already (for an application with no GET
     * route: any authenticated request provisions its caller, whatever it answers).
     */
    public static String idOf(Pool db, String user) {
        return db.preparedQuery("SELECT id FROM users WHERE user_name = $1 AND deleted_at IS NULL").execute(Tuple.of(user))
                .await().indefinitely().iterator().next().getUUID(0).toString();
    }
}

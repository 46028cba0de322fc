package io.nexodus.testing;

import io.nexodus.shared.crypto.BearerTokens;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.Arrays;
import java.util.UUID;

/**
 * Registration keys for the tests of functions that accept them but do not create them: the row written
 * straight into the database as the {@code reg-keys} function writes it (found by its token's hash; its own
 * tests pin that), so that a function's tests need not boot {@code reg-keys}.
 */
public final class TestRegKeys {

    private TestRegKeys() {
    }

    /** A key as a test holds it: its id and its {@code RK:} token. */
    public record Key(String id, String token) {

        public String bearer() {
            return "Bearer " + token;
        }
    }

    /** A key of {@code owner} for {@code vpc} without limits. */
    public static Key insert(Pool db, String owner, String vpc) {
        return insert(db, owner, vpc, false);
    }

    /** @param singleUse as {@code "single_use": true} makes it: the one device's id fixed in advance, a usage limit of 1 */
    public static Key insert(Pool db, String owner, String vpc, boolean singleUse) {
        UUID id = UUID.randomUUID();
        String token = BearerTokens.newRegKey();
        db.preparedQuery("INSERT INTO reg_keys (id, owner_id, organization_id, vpc_id, token_hash, device_id, usage_limit)"
                        + " SELECT $1, $2, v.organization_id, v.id, $3, $4, $5 FROM vpcs v WHERE v.id = $6")
                .execute(Tuple.from(Arrays.asList(id, UUID.fromString(owner), BearerTokens.hash(token),
                        singleUse ? UUID.randomUUID() : null, singleUse ? 1 : null, UUID.fromString(vpc))))
                .await().indefinitely();
        return new Key(id.toString(), token);
    }
}

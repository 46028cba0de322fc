package io.nexodus.tests;

import io.nexodus.testing.PostgresTestResource;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link PostgresTestResource}, with our code and the token verification it uses logging at DEBUG: what an
 * operator switches on to chase a problem must not print credentials either.
 */
public class VerboseLogging extends PostgresTestResource {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        for (String category : new String[] {"io.nexodus", "io.smallrye.jwt", "io.quarkus.smallrye.jwt",
                "io.quarkus.funqy", "io.quarkus.vertx.http", "io.quarkus.security"}) {
            config.put("quarkus.log.category.\"" + category + "\".level", "DEBUG");
        }
        return config;
    }
}

package io.nexodus.tests;

import io.nexodus.testing.CrashablePostgres;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestPostgres;

/**
 * {@link PostgresTestResource} on a server of the test's own ({@link CrashablePostgres}), which the test may
 * crash and restart without touching the database every other test class uses.
 */
public class OnCrashablePostgres extends PostgresTestResource {

    private static CrashablePostgres server;

    static synchronized CrashablePostgres crashable() {
        if (server == null) {
            server = CrashablePostgres.start();
        }
        return server;
    }

    @Override
    protected TestPostgres server() {
        return crashable().server();
    }
}

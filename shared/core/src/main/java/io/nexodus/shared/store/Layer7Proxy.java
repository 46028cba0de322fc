package io.nexodus.shared.store;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

/**
 * {@code PG_LAYER7_PROXY=true}: the store is reached through a transaction-mode pooler that does not track prepared
 * statements (PgBouncer before 1.21, or with {@code max_prepared_statements = 0}). By default every connection keeps
 * its statements prepared under a name (Quarkus's default, and what the IPAM server's own configuration sets), which
 * such a pooler breaks: the next transaction may run on another server connection, where the name is missing or
 * already taken, and every request fails. Behind one, the client must send each statement unnamed with its execution
 * (Vert.x's layer-7 proxy mode) and cache none; this sets both properties from the one switch, over any other source,
 * so that neither can be forgotten. Tested behind Debian's PgBouncer by {@code tests/PoolerTest}.
 */
@Priority(Priorities.APPLICATION)
public class Layer7Proxy implements ConfigSourceInterceptor {

    static final String SWITCH = "PG_LAYER7_PROXY";
    static final String LAYER7 = "quarkus.datasource.reactive.postgresql.use-layer7-proxy";
    static final String CACHE = "quarkus.datasource.reactive.cache-prepared-statements";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (!LAYER7.equals(name) && !CACHE.equals(name)) {
            return context.proceed(name);
        }
        ConfigValue behindPooler = context.proceed(SWITCH);
        if (behindPooler == null || !Boolean.parseBoolean(behindPooler.getValue())) {
            return context.proceed(name);
        }
        return ConfigValue.builder().withName(name).withValue(LAYER7.equals(name) ? "true" : "false")
                .withConfigSourceName("nexodus " + SWITCH + "=true (a pooler that tracks no prepared statements)").build();
    }
}

package io.nexodus.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL's connection budget, recomputed from the render (deploy/README.md, "Database connections"): every
 * Service at max-scale with its full pool, fetch-peers' extra LISTEN connection per pod, all of it twice (a rollout
 * runs the old and the new revision side by side), plus the migration Job and room for an administrator, within
 * max_connections less the superuser reserve. With the pooler (production), what goes through it must fit its
 * max_client_conn, and what it opens to the server the budget.
 */
class DatabaseBudgetTest {

    private static final int SUPERUSER_RESERVED = 3;
    private static final int JOB_AND_ADMIN = 1 + 5;

    record Use(int direct, int pooled) {
    }

    static Use connections(Rendered render) {
        int direct = 0;
        int pooled = 0;
        java.util.Optional<JsonNode> pooler = render.ofKind("Pooler").findFirst();
        String poolerHost = pooler.map(Rendered::name).orElse(null);
        // PgBouncer 1.21+ carries a client's named prepared statements to any server connection when it tracks them
        int trackedStatements = pooler.map(p -> p.at("/spec/pgbouncer/parameters/max_prepared_statements").asInt(0)).orElse(0);
        for (JsonNode svc : render.ksvcs().toList()) {
            Map<String, String> problems = new TreeMap<>();
            Map<String, String> env = EffectiveEnv.of(render, svc.at("/spec/template/spec/containers/0"), problems);
            int maxScale = svc.at("/spec/template/metadata/annotations/autoscaling.knative.dev~1max-scale").asInt();
            int pool = Integer.parseInt(env.getOrDefault("PG_POOL_SIZE", "0"));
            assertTrue(maxScale > 0 && pool > 0, Rendered.name(svc) + ": max-scale and PG_POOL_SIZE must be set");
            int listen = Rendered.name(svc).equals("fetch-peers") ? 1 : 0;
            boolean viaPooler = poolerHost != null && env.getOrDefault("PG_URL", "").contains("//" + poolerHost + ".");
            assertTrue(!(viaPooler && listen > 0), "fetch-peers' LISTEN cannot go through a transaction-mode pooler");
            // a function keeps its statements prepared (Quarkus's default; not with PG_LAYER7_PROXY=true): through a
            // transaction-mode pooler that does not track them every request fails ("prepared statement ... already
            // exists", PoolerTest)
            assertTrue(!viaPooler || trackedStatements > 0 || "true".equals(env.get("PG_LAYER7_PROXY")),
                    Rendered.name(svc) + " keeps prepared statements through a pooler that does not track them:"
                            + " set the Pooler's max_prepared_statements, or PG_LAYER7_PROXY=true");
            if (viaPooler) {
                pooled += maxScale * pool;
            } else {
                direct += maxScale * (pool + listen);
            }
        }
        return new Use(direct, pooled);
    }

    @Test
    void thePlainStatefulSetHasRoomForEveryServiceAtMaxScaleDuringARollout() {
        Rendered render = Rendered.of("deploy/overlays/kind");
        JsonNode postgres = render.find("StatefulSet", "postgres").orElseThrow();
        int max = -1;
        JsonNode args = postgres.at("/spec/template/spec/containers/0/args");
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).asText().equals("-c") && args.get(i + 1).asText().startsWith("max_connections=")) {
                max = Integer.parseInt(args.get(i + 1).asText().substring("max_connections=".length()));
            }
        }
        Use use = connections(render);
        int needed = 2 * (use.direct() + use.pooled()) + JOB_AND_ADMIN;
        System.out.println("database budget (kind): " + needed + " of " + (max - SUPERUSER_RESERVED));
        assertTrue(needed <= max - SUPERUSER_RESERVED, "needs " + needed + " connections, max_connections is " + max);
    }

    @Test
    void withThePoolerTheFunctionsFitItAndItFitsTheServer() {
        Rendered render = Rendered.of("deploy/overlays/production");
        JsonNode cluster = render.ofKind("Cluster").findFirst().orElseThrow();
        int max = cluster.at("/spec/postgresql/parameters/max_connections").asInt();
        JsonNode pooler = render.ofKind("Pooler").findFirst().orElseThrow();
        assertTrue("transaction".equals(pooler.at("/spec/pgbouncer/poolMode").asText()));
        int maxClient = pooler.at("/spec/pgbouncer/parameters/max_client_conn").asInt();
        int serverPerInstance = pooler.at("/spec/pgbouncer/parameters/default_pool_size").asInt();
        int instances = pooler.at("/spec/instances").asInt(1);
        Use use = connections(render);
        assertTrue(use.pooled() > 0, "functions go through the pooler");
        // every pooler instance may get every client connection when the others are gone
        assertTrue(2 * use.pooled() <= maxClient, "through the pooler: 2 x " + use.pooled() + " > max_client_conn " + maxClient);
        int server = instances * serverPerInstance + 2 * use.direct() + JOB_AND_ADMIN;
        System.out.println("database budget (production): pooler clients " + 2 * use.pooled() + " of " + maxClient
                + ", server " + server + " of " + (max - SUPERUSER_RESERVED));
        assertTrue(server <= max - SUPERUSER_RESERVED, "server connections " + server + " > " + (max - SUPERUSER_RESERVED));
    }
}

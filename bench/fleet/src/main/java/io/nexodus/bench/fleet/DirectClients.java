package io.nexodus.bench.fleet;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.nexodus.shared.devices.DeviceAddresses;
import io.nexodus.shared.ipam.IpamClient;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;

/**
 * What the direct baseline talks to, from the simulator's process: the stack's PostgreSQL through a Vert.x reactive
 * pool of its own (the client the functions use, with Quarkus's defaults) and the all-in-one's IPAM gRPC server through
 * the project's {@link IpamClient}, under register-device's {@link DeviceAddresses}.
 */
final class DirectClients implements AutoCloseable {

    /**
     * A function replica's pool ({@code PG_POOL_SIZE}, default 8). In the all-in-one the functions and the IPAM server
     * share one pool of 8; here the IPAM server keeps its own, as separate pods have theirs in production.
     */
    static final int POOL_SIZE = 8;

    final Pool db;
    final DeviceAddresses addresses;
    private final io.vertx.sqlclient.Pool corePool;
    private final ManagedChannel ipamChannel;

    private DirectClients(io.vertx.sqlclient.Pool corePool, ManagedChannel ipamChannel) {
        this.corePool = corePool;
        this.db = Pool.newInstance(corePool);
        this.ipamChannel = ipamChannel;
        this.addresses = DeviceAddresses.over(IpamClient.over(ipamChannel));
    }

    static DirectClients open(Vertx vertx, Stack stack) {
        io.vertx.sqlclient.Pool pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(POOL_SIZE))
                // prepared statements cached per connection, as Quarkus's reactive PostgreSQL client does by default
                // (PgPoolRecorder: cache-prepared-statements unset → true for PostgreSQL); Vert.x's own default is off,
                // which would re-parse every statement and charge the baseline PostgreSQL work the functions do not do
                .connectingTo(new PgConnectOptions().setHost("localhost").setPort(stack.pgPort()).setDatabase("postgres")
                        .setUser("postgres").setPassword("postgres").setCachePreparedStatements(true))
                .using(vertx)
                .build();
        // plaintext h2c on loopback, as the functions reach it (quarkus.grpc.clients.ipam.* in deploy/local)
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", stack.ipamPort()).usePlaintext().build();
        return new DirectClients(pool, channel);
    }

    @Override
    public void close() throws Exception {
        try {
            corePool.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            ipamChannel.shutdown().awaitTermination(30, TimeUnit.SECONDS);
        }
    }
}

package io.nexodus.shared.devices;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.Startup;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * IPAM addresses in use per VPC (docs/operations.md "Metrics"): the tunnel addresses live devices hold,
 * by VPC and family, read from the devices table (what IPAM handed out and a device holds; an address
 * IPAM holds for nobody is gc's to find). Every user has a default VPC, so VPC ids are unbounded: only
 * the {@code nexodus.metrics.vpc-addresses.top} VPCs holding most addresses get their own series
 * ({@code vpc} = its id) and the rest are summed under {@code vpc="other"}.
 *
 * <p>Read only when scraped, at most once per {@code nexodus.metrics.vpc-addresses.every}, and never on
 * the scrape's thread: a scrape sees the last reading and starts the next one. With metrics off the gauges
 * are no-ops that nobody asks, and the query never runs. Every replica of every function holding this
 * reports the same database-wide figure: aggregate with {@code max}, not {@code sum}.
 */
@Startup
@ApplicationScoped
public class AddressesInUse {

    private static final Logger LOG = Logger.getLogger(AddressesInUse.class);

    /** Per VPC: the top $1 by addresses held, the rest as 'other'. */
    static final String SQL = "WITH per AS (SELECT vpc_id, sum(jsonb_array_length(ipv4_tunnel_ips)) AS v4,"
            + " sum(jsonb_array_length(ipv6_tunnel_ips)) AS v6 FROM devices WHERE deleted_at IS NULL GROUP BY vpc_id),"
            + " ranked AS (SELECT *, row_number() OVER (ORDER BY v4 + v6 DESC, vpc_id) AS rank FROM per)"
            + " SELECT CASE WHEN rank <= $1 THEN vpc_id::text ELSE 'other' END AS vpc, sum(v4)::bigint AS v4,"
            + " sum(v6)::bigint AS v6, count(*) AS vpcs FROM ranked GROUP BY 1";

    private final Pool db;
    private final MultiGauge perVpc;
    private final int top;
    private final long everyNanos;
    private final AtomicBoolean reading = new AtomicBoolean();
    private volatile long readAt;
    private volatile long vpcs;

    @Inject
    AddressesInUse(Pool db, MeterRegistry registry,
            @ConfigProperty(name = "nexodus.metrics.vpc-addresses.top", defaultValue = "10") int top,
            @ConfigProperty(name = "nexodus.metrics.vpc-addresses.every", defaultValue = "PT30S") Duration every) {
        this.db = db;
        this.top = top;
        this.everyNanos = every.toNanos();
        this.perVpc = MultiGauge.builder("nexodus.ipam.addresses.in.use")
                .description("Tunnel addresses held by live devices, by VPC (the top ones, the rest as vpc=other) and family")
                .register(registry);
        // the scrape's trigger: asked at every scrape, it starts a new reading when the last one is old
        Gauge.builder("nexodus.ipam.vpcs", this, AddressesInUse::vpcsAndRefresh)
                .description("VPCs with live devices: how many share nexodus.ipam.addresses.in.use")
                .register(registry);
    }

    private double vpcsAndRefresh() {
        long now = System.nanoTime();
        if ((readAt == 0 || now - readAt >= everyNanos) && reading.compareAndSet(false, true)) {
            readAt = now;
            db.preparedQuery(SQL).execute(Tuple.of(top)).subscribe().with(this::publish, failure -> {
                reading.set(false);
                LOG.debugf("addresses in use not read: %s", failure.toString());
            });
        }
        return vpcs;
    }

    private void publish(Iterable<Row> rows) {
        List<MultiGauge.Row<?>> out = new ArrayList<>();
        long count = 0;
        for (Row row : rows) {
            String vpc = row.getString("vpc");
            out.add(MultiGauge.Row.of(Tags.of("vpc", vpc, "family", "ipv4"), row.getLong("v4")));
            out.add(MultiGauge.Row.of(Tags.of("vpc", vpc, "family", "ipv6"), row.getLong("v6")));
            count += row.getLong("vpcs");
        }
        perVpc.register(out, true);
        vpcs = count;
        reading.set(false);
    }
}

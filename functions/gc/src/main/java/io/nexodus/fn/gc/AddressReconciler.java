package io.nexodus.fn.gc;

import io.nexodus.shared.devices.DeviceAddresses;
import io.nexodus.shared.ipam.Cidrs;
import io.nexodus.shared.ipam.IpamClient;
import io.nexodus.shared.ipam.IpamErrors;
import io.nexodus.shared.ipam.IpamNamespaces;
import io.nexodus.shared.model.Vpc;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Keeps IPAM and the devices in step (no address left allocated for a device that does not exist;
 * docs/compatibility.md, "Devices and registration keys"). A registration that loses its connection after IPAM
 * committed an acquisition, but before the answer arrived, cannot know which address it was given, so it cannot give
 * it back; here IPAM's own record (its dump, in go-ipam's format, so an upstream go-ipam works too) is compared with
 * the live devices, and what no device holds is released once it has stayed so for the grace period.
 *
 * <p>Only the namespaces and prefixes this control plane owns are read: the shared namespace and each
 * private VPC's, the VPCs' address prefixes (addresses) and the top-level prefixes besides them
 * (devices' advertised CIDRs).
 */
@ApplicationScoped
class AddressReconciler {

    private static final Logger LOG = Logger.getLogger(AddressReconciler.class);

    @Inject
    Pool db;

    @Inject
    IpamClient ipam;

    /** What IPAM holds that no live device does. {@code address} is empty when the prefix itself is the orphan. */
    record Orphan(String namespace, String prefix, String address) {
    }

    /** One IPAM namespace as the devices see it. */
    private record Scope(Set<String> addressPrefixes, Set<String> heldAddresses, Set<String> heldPrefixes) {
        static Scope empty() {
            return new Scope(new HashSet<>(), new HashSet<>(), new HashSet<>());
        }
    }

    record Result(int orphans, int released) {
    }

    Uni<Result> reconcile(Duration grace) {
        return scopes()
                .flatMap(scopes -> Multi.createFrom().iterable(scopes.entrySet())
                        .onItem().transformToUniAndConcatenate(scope -> orphansIn(scope.getKey(), scope.getValue()))
                        .collect().in(ArrayList<Orphan>::new, List::addAll))
                .flatMap(orphans -> due(orphans, grace)
                        .flatMap(due -> Multi.createFrom().iterable(due).onItem().transformToUniAndConcatenate(this::release)
                                .collect().asList()
                                .map(released -> new Result(orphans.size(), (int) released.stream().filter(b -> b).count()))));
    }

    /** The live VPCs and devices, grouped by the IPAM namespace their addresses come from. */
    private Uni<Map<String, Scope>> scopes() {
        Map<String, Scope> scopes = new LinkedHashMap<>();
        Scope shared = Scope.empty();
        shared.addressPrefixes().add(IpamNamespaces.DEFAULT_IPV4_CIDR);
        shared.addressPrefixes().add(IpamNamespaces.DEFAULT_IPV6_CIDR);
        scopes.put(IpamNamespaces.SHARED, shared);
        return db.query("SELECT " + Vpc.COLUMNS + " FROM vpcs v WHERE v.deleted_at IS NULL").execute()
                .invoke(vpcs -> {
                    for (Row row : vpcs) {
                        Vpc vpc = Vpc.from(row);
                        Scope scope = scopes.computeIfAbsent(DeviceAddresses.namespaceOf(vpc), ns -> Scope.empty());
                        scope.addressPrefixes().add(Cidrs.normalize(vpc.ipv4Cidr()));
                        scope.addressPrefixes().add(Cidrs.normalize(vpc.ipv6Cidr()));
                    }
                })
                .flatMap(ignored -> db.query("SELECT " + Vpc.COLUMNS + ", d.ipv4_tunnel_ips->0->>'address' AS ipv4,"
                        + " d.ipv6_tunnel_ips->0->>'address' AS ipv6, d.advertise_cidrs"
                        + " FROM devices d JOIN vpcs v ON v.id = d.vpc_id WHERE d.deleted_at IS NULL").execute())
                .map(devices -> {
                    for (Row row : devices) {
                        Scope scope = scopes.computeIfAbsent(DeviceAddresses.namespaceOf(Vpc.from(row)), ns -> Scope.empty());
                        addIfPresent(scope.heldAddresses(), row.getString("ipv4"));
                        addIfPresent(scope.heldAddresses(), row.getString("ipv6"));
                        for (String cidr : row.getArrayOfStrings("advertise_cidrs")) {
                            scope.heldPrefixes().add(Cidrs.normalize(cidr));
                        }
                    }
                    return scopes;
                });
    }

    private static void addIfPresent(Set<String> set, String value) {
        if (value != null) {
            set.add(value);
        }
    }

    private Uni<List<Orphan>> orphansIn(String namespace, Scope scope) {
        return ipam.dump(namespace)
                .map(dump -> orphans(namespace, scope, new JsonArray(dump)))
                .onFailure(IpamErrors::isMissingNamespace).recoverWithItem(List.of());
    }

    private static List<Orphan> orphans(String namespace, Scope scope, JsonArray dump) {
        List<Orphan> orphans = new ArrayList<>();
        for (Object entry : dump) {
            JsonObject prefix = (JsonObject) entry;
            String cidr = Cidrs.normalize(prefix.getString("Cidr"));
            boolean topLevel = prefix.getString("ParentCidr", "").isEmpty();
            if (scope.addressPrefixes().contains(cidr)) {
                JsonObject ips = prefix.getJsonObject("IPs", new JsonObject());
                Set<String> reserved = Cidrs.reservedAddresses(cidr);
                for (String address : ips.fieldNames()) {
                    if (!reserved.contains(address) && !scope.heldAddresses().contains(address)) {
                        orphans.add(new Orphan(namespace, cidr, address));
                    }
                }
            } else if (topLevel && !scope.heldPrefixes().contains(cidr)) {
                orphans.add(new Orphan(namespace, cidr, ""));
            }
        }
        return orphans;
    }

    /**
     * Records this sweep's orphans (keeping when each was first seen), forgets entries no longer orphaned,
     * and returns those orphaned for at least {@code grace}: a registration in flight is over by then.
     */
    private Uni<List<Orphan>> due(List<Orphan> orphans, Duration grace) {
        String[] namespaces = orphans.stream().map(Orphan::namespace).toArray(String[]::new);
        String[] prefixes = orphans.stream().map(Orphan::prefix).toArray(String[]::new);
        String[] addresses = orphans.stream().map(Orphan::address).toArray(String[]::new);
        Tuple args = Tuple.of(namespaces, prefixes, addresses);
        String current = "SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS o(namespace, prefix, address)";
        return db.withTransaction(tx -> tx.preparedQuery("DELETE FROM ipam_orphans WHERE (namespace, prefix, address)"
                        + " NOT IN (" + current + ")").execute(args)
                .flatMap(x -> tx.preparedQuery("INSERT INTO ipam_orphans (namespace, prefix, address) " + current
                        + " ON CONFLICT DO NOTHING").execute(args))
                .flatMap(x -> tx.preparedQuery("SELECT namespace, prefix, address FROM ipam_orphans"
                        + " WHERE first_seen <= now() - make_interval(secs => $1)").execute(Tuple.of(grace.toMillis() / 1000.0))))
                .map(rows -> {
                    List<Orphan> due = new ArrayList<>();
                    for (Row row : rows) {
                        due.add(new Orphan(row.getString("namespace"), row.getString("prefix"), row.getString("address")));
                    }
                    return due;
                });
    }

    /** Gives one orphan back to IPAM and forgets it; a failure leaves it for the next sweep. */
    private Uni<Boolean> release(Orphan orphan) {
        Uni<Void> giveBack = orphan.address().isEmpty()
                ? ipam.deletePrefix(orphan.namespace(), orphan.prefix()).replaceWithVoid()
                : ipam.releaseIp(orphan.namespace(), orphan.prefix(), orphan.address());
        return giveBack.onFailure(IpamErrors::isNotFound).recoverWithNull()
                .flatMap(x -> db.preparedQuery("DELETE FROM ipam_orphans WHERE namespace = $1 AND prefix = $2 AND address = $3")
                        .execute(Tuple.of(orphan.namespace(), orphan.prefix(), orphan.address())))
                .invoke(x -> LOG.infof("IPAM %s %s of %s in %s given back: no live device holds it",
                        orphan.address().isEmpty() ? "prefix" : "address", orphan.address().isEmpty() ? "" : orphan.address(),
                        orphan.prefix(), orphan.namespace()))
                .replaceWith(true)
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("IPAM %s/%s in %s not given back, next sweep retries: %s", orphan.prefix(), orphan.address(),
                            orphan.namespace(), failure.getMessage());
                    return false;
                });
    }
}

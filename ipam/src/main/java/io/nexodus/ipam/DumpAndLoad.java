package io.nexodus.ipam;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/**
 * Dump and Load in go-ipam's JSON shape (an array of prefixes with {@code Cidr}, {@code ParentCidr},
 * {@code AvailableChildPrefixes}, {@code IPs}, ...), so data can move between go-ipam and this server.
 * An admin operation: it reads or writes every address of the namespace at once.
 */
@ApplicationScoped
public class DumpAndLoad {

    @Inject
    Pool pool;

    public Uni<String> dump(String namespace) {
        return Namespaces.require(pool, namespace, false)
                .flatMap(x -> pool.preparedQuery(Prefixes.SELECT + " WHERE p.namespace = $1 ORDER BY p.parent_id NULLS FIRST, p.cidr")
                        .execute(Tuple.of(namespace)))
                .flatMap(rows -> {
                    List<PrefixRecord> prefixes = new ArrayList<>();
                    for (Row row : rows) {
                        prefixes.add(Prefixes.read(row));
                    }
                    return Multi.createFrom().iterable(prefixes).onItem().transformToUniAndConcatenate(this::toJson)
                            .collect().asList();
                })
                .map(list -> new JsonArray(new ArrayList<Object>(list)).encode());
    }

    private Uni<JsonObject> toJson(PrefixRecord prefix) {
        Cidr cidr = prefix.parsed();
        return pool.preparedQuery("SELECT host(address) FROM ipam_addresses WHERE prefix_id = $1 ORDER BY address")
                .execute(Tuple.of(prefix.id()))
                .flatMap(addresses -> ChildPrefixes.children(pool, prefix.id()).map(children -> {
                    JsonObject ips = new JsonObject();
                    ips.put(cidr.format(cidr.network()), true);
                    if (cidr.reservedCount() == 2) {
                        ips.put(cidr.format(cidr.last()), true);
                    }
                    for (Row row : addresses) {
                        ips.put(row.getString(0), true);
                    }
                    JsonObject childMap = new JsonObject();
                    children.forEach(child -> childMap.put(child.toString(), false));
                    return new JsonObject()
                            .put("Cidr", prefix.cidr())
                            .put("ParentCidr", prefix.parentCidr())
                            .put("Namespace", prefix.namespace())
                            .put("isParent", !children.isEmpty())
                            .put("AvailableChildPrefixes", childMap)
                            .put("ChildPrefixLength", 0)
                            .put("IPs", ips)
                            .put("Version", 0);
                }));
    }

    /** Loads a dump into an empty namespace (go-ipam refuses to load over existing prefixes too). */
    public Uni<Void> load(String namespace, String dump) {
        JsonArray prefixes;
        try {
            prefixes = new JsonArray(dump);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(IpamFailure.invalid("dump is not a JSON array of prefixes: " + e.getMessage()));
        }
        return pool.withTransaction(tx -> Namespaces.require(tx, namespace, true)
                .flatMap(x -> tx.preparedQuery("SELECT count(*) FROM ipam_prefixes WHERE namespace = $1").execute(Tuple.of(namespace)))
                .flatMap(count -> count.iterator().next().getLong(0) > 0
                        ? Uni.createFrom().failure(IpamFailure.precondition("prefixes exist, please drop existing data before loading"))
                        : loadAll(tx, namespace, prefixes)));
    }

    private Uni<Void> loadAll(SqlClient tx, String namespace, JsonArray prefixes) {
        List<JsonObject> parentsFirst = new ArrayList<>();
        prefixes.forEach(p -> {
            if (((JsonObject) p).getString("ParentCidr", "").isEmpty()) {
                parentsFirst.add(0, (JsonObject) p);
            } else {
                parentsFirst.add((JsonObject) p);
            }
        });
        return Multi.createFrom().iterable(parentsFirst).onItem().transformToUniAndConcatenate(json -> {
            Cidr cidr = Cidr.parse(json.getString("Cidr"));
            String parentText = json.getString("ParentCidr", "");
            Uni<PrefixRecord> parent = parentText.isEmpty() ? Uni.createFrom().nullItem()
                    : Prefixes.find(tx, namespace, Cidr.parse(parentText), true);
            return parent.flatMap(p -> Prefixes.insert(tx, namespace, cidr, p)
                    .call(created -> p == null ? Uni.createFrom().voidItem()
                            : tx.preparedQuery("UPDATE ipam_prefixes SET children = children + 1 WHERE id = $1")
                                    .execute(Tuple.of(p.id())))
                    .call(created -> insertIps(tx, created, cidr, json.getJsonObject("IPs", json.getJsonObject("ips", new JsonObject())))));
        }).collect().last().replaceWithVoid();
    }

    private Uni<Void> insertIps(SqlClient tx, PrefixRecord prefix, Cidr cidr, JsonObject ips) {
        List<Tuple> batch = new ArrayList<>();
        for (String ip : ips.fieldNames()) {
            if (!cidr.isReserved(cidr.parseAddress(ip))) {
                batch.add(Tuple.of(prefix.id(), ip));
            }
        }
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("INSERT INTO ipam_addresses (prefix_id, address) VALUES ($1, $2::text::inet)")
                .executeBatch(batch).flatMap(x -> Cursors.recompute(tx, prefix.id(), cidr));
    }
}

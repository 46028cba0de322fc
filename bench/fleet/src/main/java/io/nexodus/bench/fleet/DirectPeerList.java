package io.nexodus.bench.fleet;

import io.nexodus.shared.device.StoredDevice;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The full peer list's baseline: the query {@code GET /api/vpcs/{id}/devices} runs for the whole list (fetch-peers'
 * FetchPeers: the stored device's columns, live devices of the VPC by hostname), its rows read and mapped as the
 * function maps them ({@link StoredDevice#from}), no JSON. The same statement as SystemBenchmark's in-process baseline.
 */
final class DirectPeerList {

    static final String SQL = "SELECT " + StoredDevice.COLUMNS + " FROM devices d WHERE d.vpc_id = $1"
            + " AND d.deleted_at IS NULL ORDER BY d.hostname";

    private final Pool db;

    DirectPeerList(DirectClients clients) {
        this.db = clients.db;
    }

    /** The VPC's live devices, mapped; the count says that the rows were read. */
    Uni<Integer> list(UUID vpc) {
        return db.preparedQuery(SQL).execute(Tuple.of(vpc)).map(rows -> {
            List<StoredDevice> mapped = new ArrayList<>(rows.size());
            rows.forEach(row -> mapped.add(StoredDevice.from(row)));
            return mapped.size();
        });
    }
}

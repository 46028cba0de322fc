package io.nexodus.fn.fetchpeers;

import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.shared.access.Access;
import io.nexodus.shared.device.DeviceTokenVault;
import io.nexodus.shared.device.StoredDevice;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CurrentCaller;
import io.nexodus.shared.model.Device;
import io.nexodus.shared.store.CursorLimit;
import io.nexodus.shared.store.ListParams;
import io.nexodus.shared.store.ListQuery;
import io.nexodus.shared.store.Page;
import io.nexodus.shared.store.StreamedPage;
import io.nexodus.shared.identity.RequiresScope;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code fetch-peers} function's list: {@code GET /api/vpcs/{id}/devices} (Nexodus's
 * ListDevicesInVPC, internal/handlers/device.go) — every device of a VPC the caller can read, with Nexodus's
 * sort/filter/range and {@code X-Total-Count}. No device token is shown (DeviceTokenVault#withoutToken). Beyond
 * Nexodus (which ignored it), {@code gt_revision} returns only what changed after that revision, deletions included,
 * so a client can poll deltas; the watch routes ({@link EventsRoute}) push the same.
 */
@OncePerEvent
@ApplicationScoped
public class FetchPeers {

    private static final Map<String, String> COLUMNS = Map.of("id", "d.id", "hostname", "d.hostname",
            "public_key", "d.public_key", "owner_id", "d.owner_id", "os", "d.os", "relay", "d.relay",
            "online", "d.online", "revision", "d.revision", "security_group_id", "d.security_group_id");

    /** Devices per read from the cursor and per write to the client: ~380 KB of JSON at nexd's device size. */
    static final int STREAM_BATCH = 500;

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    Access access;

    @Inject
    CursorLimit cursors;


    @Funq("list-peers")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.vpc.devices.list", responseType = "io.nexodus.vpc.devices.listed")
    public Uni<List<Device>> list(ListPeers input) {
        return page(input).map(Page::items);
    }

    Uni<Page<Device>> page(ListPeers input) {
        return readable(input)
                .flatMap(peers -> peers.list().run(db, StoredDevice.COLUMNS, peers.from(), peers.args(), StoredDevice::from))
                .map(page -> page.map(DeviceTokenVault::withoutToken));
    }

    /**
     * The same list as {@link #page}, read from a cursor as the client takes it: what the REST route sends (a VPC of
     * 100,000 devices is a 77 MB answer, which must not sit whole in this process nor hold the pool while it is built).
     */
    Uni<StreamedPage<Device>> stream(ListPeers input) {
        return readable(input)
                .flatMap(peers -> peers.list().stream(db, cursors, StoredDevice.COLUMNS, peers.from(), peers.args(),
                        StoredDevice::from, STREAM_BATCH))
                .map(page -> page.map(DeviceTokenVault::withoutToken));
    }

    /**
     * The request's query once the caller may read the VPC (else 404). The caller and the input are checked here, before
     * anything is read: a request without a credential or with a bad parameter fails as it arrives.
     */
    private Uni<PeerQuery> readable(ListPeers input) {
        Caller me = caller.get();
        PeerQuery peers = PeerQuery.of(input);
        return access.requireVpcMember(db, me, peers.vpcId(), "vpc").replaceWith(peers);
    }

    /** The peers of a VPC a request names, as SQL: all of them, or only those changed after {@code gt_revision}. */
    private record PeerQuery(UUID vpcId, ListQuery list, String from, List<Object> args) {

        static PeerQuery of(ListPeers input) {
            UUID vpcId = Ids.pathUuid(input == null ? null : input.id(), "id");
            long gt = input.gtRevision() == null ? -1 : input.gtRevision();
            if (gt > Integer.MAX_VALUE) {
                throw ApiErrors.invalidField("gt_revision", "beyond the revision range");
            }
            ListQuery list = ListQuery.of(new ListParams(input.sort(), input.filter(), input.range()), COLUMNS,
                    gt >= 0 ? "revision" : "hostname");
            String from = gt >= 0
                    ? "FROM devices d WHERE d.vpc_id = $1 AND d.revision > $2"
                    : "FROM devices d WHERE d.vpc_id = $1 AND d.deleted_at IS NULL AND $2::int IS NULL";
            return new PeerQuery(vpcId, list, from, Arrays.asList(vpcId, gt >= 0 ? (Object) (int) gt : null));
        }
    }
}

package io.nexodus.fn.updatedevice;

import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.shared.access.Access;
import io.nexodus.shared.devices.DeviceAddresses;
import io.nexodus.shared.devices.DeviceAddresses.Allocation;
import io.nexodus.shared.devices.DeviceFields;
import io.nexodus.shared.device.DeviceAccess;
import io.nexodus.shared.device.DeviceTokenVault;
import io.nexodus.shared.device.StoredDevice;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.events.Change;
import io.nexodus.shared.events.EventType;
import io.nexodus.shared.events.Outbox;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CurrentCaller;
import io.nexodus.shared.model.Device;
import io.nexodus.shared.model.Endpoint;
import io.nexodus.shared.model.TunnelIp;
import io.nexodus.shared.model.Vpc;
import io.nexodus.shared.store.Signals;
import io.nexodus.shared.identity.RequiresScope;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The {@code update-device} function: {@code PATCH /api/devices/{id}}, which every agent sends on start
 * and whenever its reflexive address changes (Nexodus's UpdateDevice, internal/handlers/device.go). The common case —
 * new endpoints — is one read and one UPDATE. IPAM is involved only when advertised prefixes change (new ones are
 * taken before the write, dropped ones given back after it) or the device moves to another VPC.
 *
 * <p>Who may: the device's owner, the registration key that created it, or the device itself
 * ({@code DT:}); another device's token or key gets 403, another tenant 404.
 */
@OncePerEvent
@ApplicationScoped
public class UpdateDevice {

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    Access access;

    @Inject
    DeviceAddresses addresses;

    @Inject
    DeviceTokenVault tokens;

    @Inject
    Outbox outbox;

    /** Its event, in the same statement; the revision is the database's. */
    private static final String EVENT_SQL = ", ev AS (" + Outbox.insertFrom("d", 17,
            "jsonb_build_object('revision', d.revision)") + ")";

    /** What changes, worked out before the write. */
    private record Plan(StoredDevice before, Vpc target, Allocation moved, List<String> advertised,
            List<String> added, List<String> removed) {
    }

    @Funq("update-device")
    @RequiresScope("write:devices")
    @CloudEventMapping(trigger = "io.nexodus.device.update", responseType = "io.nexodus.device.updated")
    public Uni<Device> update(UpdateDeviceInput input) {
        Caller me = caller.get();
        UUID id = Ids.pathUuid(input == null ? null : input.id(), "id");
        List<String> advertised = input.advertiseCidrs() == null ? null : DeviceFields.advertiseCidrs(input.advertiseCidrs());
        List<Endpoint> endpoints = input.endpoints() == null || input.endpoints().isEmpty() ? null
                : DeviceFields.endpoints(input.endpoints());
        String hostname = input.hostname() == null || input.hostname().isEmpty() ? null
                : DeviceFields.text(input.hostname(), "hostname", DeviceFields.MAX_HOSTNAME);
        UUID securityGroupId = input.securityGroupId() == null || input.securityGroupId().isEmpty() ? null
                : Ids.requiredUuid(input.securityGroupId(), "security_group_id");
        UUID vpcId = input.vpcId() == null || input.vpcId().isEmpty() ? null : Ids.requiredUuid(input.vpcId(), "vpc_id");

        return DeviceAccess.load(db, me, id, false)
                .call(before -> securityGroupId == null ? Uni.createFrom().voidItem()
                        : access.requireSecurityGroupIn(db, securityGroupId, before.organizationId(), "security_group_id"))
                .flatMap(before -> plan(me, before, vpcId, advertised))
                .flatMap(plan -> write(plan, endpoints, hostname, input.symmetricNat(), input.relay(), securityGroupId)
                        .onFailure().call(f -> undo(plan))
                        .call(after -> cleanUp(plan))
                        .map(after -> tokens.answer(after, me)));
    }

    /**
     * A VPC move (Nexodus compared {@code vpc_id} with the organization id and re-addressed needlessly;
     * here only a real change moves) gets fresh addresses in the target VPC; otherwise only the
     * advertised prefixes that are new are taken from IPAM now.
     */
    private Uni<Plan> plan(Caller me, StoredDevice before, UUID vpcId, List<String> advertised) {
        Device device = before.device();
        List<String> wanted = advertised == null ? device.advertiseCidrs() : advertised;
        if (vpcId != null && !vpcId.equals(device.vpcId())) {
            if (!me.isUser()) {
                throw ApiErrors.validation("only the device's owner may move it to another VPC", "vpc_id");
            }
            return access.requireVpcMember(db, me, vpcId, "vpc")
                    .flatMap(org -> db.preparedQuery("SELECT " + Vpc.COLUMNS + " FROM vpcs v WHERE v.id = $1")
                            .execute(Tuple.of(vpcId)))
                    .map(rows -> Vpc.from(rows.iterator().next()))
                    .flatMap(target -> addresses.allocate(target, null, wanted)
                            .map(moved -> new Plan(before, target, moved, wanted, List.of(), List.of())));
        }
        List<String> added = new ArrayList<>(wanted);
        added.removeAll(device.advertiseCidrs());
        List<String> removed = new ArrayList<>(device.advertiseCidrs());
        removed.removeAll(wanted);
        if (added.isEmpty()) {
            return Uni.createFrom().item(new Plan(before, null, null, wanted, List.of(), removed));
        }
        return vpcOf(device).flatMap(vpc -> addresses.addPrefixes(DeviceAddresses.namespaceOf(vpc), added))
                .map(created -> new Plan(before, null, null, wanted, created, removed));
    }

    /**
     * One UPDATE guarded by the revision read before: if the device changed meanwhile (another PATCH, a
     * delete), nothing is written and the caller is told to retry, after IPAM work is undone. A PATCH is a
     * sign of life ({@code last_seen_at}: what keeps an ephemeral device from gc).
     */
    private Uni<StoredDevice> write(Plan plan, List<Endpoint> endpoints, String hostname, Boolean symmetricNat,
            Boolean relay, UUID securityGroupId) {
        Device d = plan.before().device();
        boolean isRelay = relay != null ? relay : d.relay();
        List<TunnelIp> v4 = plan.moved() != null ? List.of(plan.moved().ipv4()) : d.ipv4TunnelIps();
        List<TunnelIp> v6 = plan.moved() != null ? List.of(plan.moved().ipv6()) : d.ipv6TunnelIps();
        List<String> allowedIps = v4.isEmpty() || v6.isEmpty() ? d.allowedIps()
                : new Allocation(null, v4.get(0), v6.get(0), List.of()).allowedIps(isRelay);
        UUID vpcId = plan.target() != null ? plan.target().id() : d.vpcId();
        UUID orgId = plan.target() != null ? plan.target().organizationId() : plan.before().organizationId();
        UUID sg = securityGroupId != null ? securityGroupId : plan.target() != null ? plan.target().id() : d.securityGroupId();
        boolean symNat = symmetricNat != null ? symmetricNat : d.symmetricNat();
        String name = hostname != null ? hostname : d.hostname();
        List<Endpoint> reached = endpoints != null ? endpoints : d.endpoints();
        Device after = new Device(d.id(), d.ownerId(), vpcId, d.publicKey(), allowedIps, v4, v6, plan.advertised(), isRelay,
                symNat, name, d.os(), reached, 0, sg, d.online(), d.onlineAt(), null, d.ephemeral(), d.tokenExpiresAt());
        List<Object> event = outbox.values("update-device", new Change(EventType.DEVICE_UPDATED, d.id(), orgId, after));
        // one statement, one round trip: the row, the watchers' signals and the event commit together (autocommit)
        return db.preparedQuery("WITH d AS (UPDATE devices AS d SET vpc_id = $3, organization_id = $4,"
                        + " allowed_ips = $5, ipv4_tunnel_ips = $6, ipv6_tunnel_ips = $7, advertise_cidrs = $8, relay = $9,"
                        + " symmetric_nat = $10, hostname = $11, endpoints = $12, security_group_id = $13, last_seen_at = now()"
                        + " WHERE id = $1 AND revision = $2 AND deleted_at IS NULL RETURNING *)" + EVENT_SQL
                        + " SELECT " + StoredDevice.COLUMNS + ", pg_notify($14, $15), CASE WHEN $16::text IS NULL THEN NULL"
                        + " ELSE pg_notify($14, $16) END FROM d")
                .execute(Tuple.from(concat(Arrays.asList(d.id(), (int) d.revision(), vpcId, orgId,
                        allowedIps.toArray(String[]::new), DeviceFields.json(v4), DeviceFields.json(v6),
                        plan.advertised().toArray(String[]::new), isRelay, symNat, name, DeviceFields.json(reached), sg,
                        Signals.CHANNEL, Signals.devices(d.vpcId()), vpcId.equals(d.vpcId()) ? null : Signals.devices(vpcId)),
                        event)))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new io.nexodus.shared.error.ApiException(409, new io.nexodus.shared.error.ErrorBody(
                                "device changed concurrently, retry", null, null, "device", d.id().toString(), null));
                    }
                    return StoredDevice.from(rows.iterator().next());
                });
    }

    private static List<Object> concat(List<Object> first, List<Object> second) {
        List<Object> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** The write failed: give back what was taken for it. */
    private Uni<Void> undo(Plan plan) {
        if (plan.moved() != null) {
            return addresses.release(plan.moved());
        }
        if (plan.added().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return vpcOf(plan.before().device()).flatMap(vpc -> addresses.deletePrefixes(DeviceAddresses.namespaceOf(vpc),
                plan.added()));
    }

    /** The write succeeded: give back what the device no longer holds. */
    private Uni<Void> cleanUp(Plan plan) {
        Device d = plan.before().device();
        if (plan.moved() == null && plan.removed().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return vpcOf(d).flatMap(vpc -> plan.moved() != null ? addresses.releaseAll(vpc, d)
                : addresses.deletePrefixes(DeviceAddresses.namespaceOf(vpc), plan.removed()));
    }

    private Uni<Vpc> vpcOf(Device device) {
        return db.preparedQuery("SELECT " + Vpc.COLUMNS + " FROM vpcs v WHERE v.id = $1").execute(Tuple.of(device.vpcId()))
                .map(rows -> Vpc.from(rows.iterator().next()));
    }
}

package io.nexodus.fn.registerdevice;

import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.shared.devices.DeviceAddresses;
import io.nexodus.shared.devices.DeviceAddresses.Allocation;
import io.nexodus.shared.devices.DeviceFields;
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
import io.nexodus.shared.model.Vpc;
import io.nexodus.shared.store.Signals;
import io.nexodus.shared.identity.RequiresScope;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The {@code register-device} function: a device joins a VPC with its WireGuard public key and gets
 * its tunnel addresses (Nexodus's CreateDevice, internal/handlers/device.go). In order:
 * <ol>
 * <li>the input is checked, and the VPC must be visible to the caller (a registration key: its own VPC);</li>
 * <li>a live device with the same public key is a 409 carrying that device's id (nexd then PATCHes it);
 * a single-use key whose device exists, or a key whose usage limit is reached, is exhausted;</li>
 * <li>IPAM hands out the IPv4 (the requested one when free) and IPv6 addresses and takes the advertised
 * prefixes — all or nothing;</li>
 * <li>the row is written, and counted against its registration key in the same statement; if that fails
 * (a concurrent registration won the key, its last use or the public key), the addresses go back to IPAM.
 * Nothing is left half-done either way.</li>
 * </ol>
 */
@OncePerEvent
@ApplicationScoped
public class RegisterDevice {

    /**
     * Every precondition in one query: $1 VPC, $2 public key, $3 registration key (or null), $4 the acting
     * user. Public so that the benchmark's baseline issues the very same statements.
     */
    public static final String PRECONDITIONS_SQL = "SELECT " + Vpc.COLUMNS + ","
            + " (SELECT id FROM devices WHERE public_key = $2 AND deleted_at IS NULL) AS existing_id,"
            + " k.device_id AS key_device_id, k.security_group_id AS key_security_group_id,"
            + " EXISTS (SELECT 1 FROM devices WHERE id = k.device_id) AS key_used, k.usage_limit AS key_usage_limit,"
            + " k.uses AS key_uses, coalesce(k.ephemeral, false) AS key_ephemeral,"
            + " k.device_token_ttl_seconds AS key_token_ttl_seconds"
            + " FROM vpcs v JOIN user_organizations uo ON uo.organization_id = v.organization_id AND uo.user_id = $4"
            + " LEFT JOIN reg_keys k ON k.id = $3 AND k.deleted_at IS NULL"
            + " WHERE v.id = $1 AND v.deleted_at IS NULL";

    /**
     * The row, the watchers' signal and the outbound event in one statement, one round trip (autocommit);
     * $19/$20 channel and signal; $21 ephemeral, $22 the token's lifetime in seconds (null: none); $23…$32
     * the event ({@link Outbox#values}), which exists only if the row does. The row's registration key
     * counts the use in the same statement (trigger {@code devices_count_reg_key_use}, V4), or refuses it.
     */
    public static final String INSERT_SQL = "WITH d AS (INSERT INTO devices AS d (id, owner_id, vpc_id, organization_id,"
            + " public_key, allowed_ips, ipv4_tunnel_ips, ipv6_tunnel_ips, advertise_cidrs, relay, symmetric_nat,"
            + " hostname, os, endpoints, security_group_id, reg_key_id, token_hash, token_ciphertext, ephemeral,"
            + " token_expires_at)"
            + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $21,"
            + " now() + $22::bigint * interval '1 second')"
            + " ON CONFLICT DO NOTHING RETURNING *),"
            + " ev AS (" + Outbox.insertFrom("d", 23,
                    "jsonb_build_object('revision', d.revision, 'token_expires_at', d.token_expires_at)") + ")"
            + " SELECT " + StoredDevice.COLUMNS + ", pg_notify($19, $20) FROM d";

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    DeviceAddresses addresses;

    @Inject
    DeviceTokenVault tokens;

    @Inject
    Outbox outbox;

    @Inject
    RegistrationMetrics metrics;

    @Funq("register-device")
    @RequiresScope("write:devices")
    @CloudEventMapping(trigger = "io.nexodus.device.register", responseType = "io.nexodus.device.registered")
    public Uni<Device> register(AddDevice input) {
        Caller me = caller.get();
        if (input == null) {
            throw ApiErrors.fieldNotPresent("public_key");
        }
        String publicKey = DeviceFields.publicKey(input.publicKey());
        UUID vpcId = Ids.requiredUuid(input.vpcId(), "vpc_id");
        if (me.kind() == Caller.Kind.REG_KEY && !vpcId.equals(me.vpcId())) {
            throw ApiErrors.validation("does not match the reg key vpc_id", "vpc_id");
        }
        String requestedIpv4 = DeviceFields.requestedIpv4(input.ipv4TunnelIps());
        List<String> advertised = DeviceFields.advertiseCidrs(input.advertiseCidrs());
        var endpoints = DeviceFields.endpoints(input.endpoints());
        String hostname = DeviceFields.text(input.hostname(), "hostname", DeviceFields.MAX_HOSTNAME);
        String os = DeviceFields.text(input.os(), "os", DeviceFields.MAX_OS);
        boolean relay = Boolean.TRUE.equals(input.relay());

        return check(me, vpcId, publicKey)
                .flatMap(reg -> addresses.allocate(reg.vpc(), requestedIpv4, advertised)
                        .flatMap(allocation -> insert(me, reg, publicKey, allocation, advertised, endpoints, hostname, os,
                                relay, Boolean.TRUE.equals(input.symmetricNat()))
                                .onFailure().recoverWithUni(f -> afterFailedInsert(f, reg, publicKey, allocation))))
                .map(stored -> tokens.answer(stored, me))
                .onItemOrFailure().invoke((device, failure) -> {
                    if (failure == null) {
                        metrics.registered();
                    } else {
                        metrics.failed(failure);
                    }
                });
    }

    /**
     * One query answers every precondition: the VPC is live and the caller (a registration key: its
     * owner) is a member of its organization; no live device has the key; a single-use key is unspent.
     */
    private Uni<Registration> check(Caller me, UUID vpcId, String publicKey) {
        return db.preparedQuery(PRECONDITIONS_SQL)
                .execute(Tuple.of(vpcId, publicKey, me.kind() == Caller.Kind.REG_KEY ? me.credentialId() : null, me.userId()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ApiErrors.notFound("vpc");
                    }
                    Row row = rows.iterator().next();
                    if (row.getUUID("existing_id") != null) {
                        throw ApiErrors.conflict(row.getUUID("existing_id"));
                    }
                    UUID keyDeviceId = row.getUUID("key_device_id");
                    Vpc vpc = Vpc.from(row);
                    UUID securityGroup = row.getUUID("key_security_group_id") != null
                            ? row.getUUID("key_security_group_id") : vpc.id();
                    Integer limit = row.getInteger("key_usage_limit");
                    Registration reg = new Registration(vpc, keyDeviceId != null ? keyDeviceId : UUID.randomUUID(),
                            securityGroup, me.kind() == Caller.Kind.REG_KEY ? me.credentialId() : null, keyDeviceId != null,
                            limit, row.getBoolean("key_ephemeral"), row.getLong("key_token_ttl_seconds"));
                    // refused before IPAM is asked; a race past this check is caught by the insert's count
                    if (keyDeviceId != null && row.getBoolean("key_used")
                            || limit != null && row.getInteger("key_uses") >= limit) {
                        throw KeyRefusals.exhausted(reg);
                    }
                    return reg;
                });
    }

    /**
     * The insert failed. A refusal (a lost race) means no row: the addresses go back. A lost connection
     * leaves it open whether the row was committed, so look before giving anything back: releasing the
     * addresses of a device that exists would let IPAM hand them out twice. Found: the registration
     * succeeded after all. Not found: release. Cannot tell: keep the addresses (an orphan is the lesser harm).
     */
    private Uni<StoredDevice> afterFailedInsert(Throwable failure, Registration reg, String publicKey,
            Allocation allocation) {
        if (failure instanceof io.nexodus.shared.error.ApiException) {
            return addresses.release(allocation).flatMap(released -> Uni.createFrom().<StoredDevice>failure(failure));
        }
        return db.preparedQuery("SELECT " + StoredDevice.COLUMNS + " FROM devices d WHERE d.id = $1 AND d.public_key = $2"
                        + " AND d.deleted_at IS NULL")
                .execute(Tuple.of(reg.deviceId(), publicKey))
                .onFailure().retry().withBackOff(java.time.Duration.ofMillis(200)).atMost(5)
                .onFailure().transform(unknown -> failure)
                .flatMap(rows -> rows.size() == 1 ? Uni.createFrom().item(StoredDevice.from(rows.iterator().next()))
                        : addresses.release(allocation).flatMap(released -> Uni.createFrom().<StoredDevice>failure(failure)));
    }

    private Uni<StoredDevice> insert(Caller me, Registration reg, String publicKey, Allocation allocation,
            List<String> advertised, List<io.nexodus.shared.model.Endpoint> endpoints, String hostname, String os,
            boolean relay, boolean symmetricNat) {
        DeviceTokenVault.Issued token = tokens.issue(reg.deviceId());
        List<String> allowedIps = allocation.allowedIps(relay);
        // the device as its event tells it: what this statement writes (no token); revision and expiry are the database's
        Device registered = new Device(reg.deviceId(), me.userId(), reg.vpc().id(), publicKey, allowedIps,
                List.of(allocation.ipv4()), List.of(allocation.ipv6()), advertised, relay, symmetricNat, hostname, os,
                endpoints, 0, reg.securityGroupId(), false, null, null, reg.ephemeral(), null);
        List<Object> values = new ArrayList<>(Arrays.asList(reg.deviceId(), me.userId(), reg.vpc().id(),
                reg.vpc().organizationId(), publicKey, allowedIps.toArray(String[]::new),
                DeviceFields.json(List.of(allocation.ipv4())), DeviceFields.json(List.of(allocation.ipv6())),
                advertised.toArray(String[]::new), relay, symmetricNat, hostname, os,
                DeviceFields.json(endpoints), reg.securityGroupId(), reg.regKeyId(), token.hash(),
                token.ciphertext(), Signals.CHANNEL, Signals.devices(reg.vpc().id()), reg.ephemeral(),
                reg.tokenTtlSeconds()));
        values.addAll(outbox.values("register-device", new Change(EventType.DEVICE_REGISTERED, reg.deviceId(),
                reg.vpc().organizationId(), registered)));
        return db.preparedQuery(INSERT_SQL)
                .execute(Tuple.from(values))
                .onFailure(KeyRefusals::isRefusedByTheCount).transform(f -> KeyRefusals.fromTheCount(f, reg))
                .flatMap(rows -> {
                    if (rows.size() == 1) {
                        return Uni.createFrom().item(StoredDevice.from(rows.iterator().next()));
                    }
                    // lost a race: to a registration of the same key, or of the same single-use reg key
                    return db.preparedQuery("SELECT id FROM devices WHERE public_key = $1 AND deleted_at IS NULL")
                            .execute(Tuple.of(publicKey))
                            .map(existing -> {
                                if (existing.size() > 0) {
                                    throw ApiErrors.conflict(existing.iterator().next().getUUID(0));
                                }
                                throw KeyRefusals.exhausted(reg);
                            });
                });
    }
}

package io.nexodus.bench.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.fn.registerdevice.RegisterDevice;
import io.nexodus.shared.crypto.BearerTokens;
import io.nexodus.shared.crypto.SecretsAtRest;
import io.nexodus.shared.devices.DeviceAddresses;
import io.nexodus.shared.devices.DeviceFields;
import io.nexodus.shared.events.EventType;
import io.nexodus.shared.events.Outbox;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.OpaqueTokens;
import io.nexodus.shared.model.Device;
import io.nexodus.shared.model.Endpoint;
import io.nexodus.shared.model.Vpc;
import io.nexodus.shared.store.Signals;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * One registration with a registration key, as register-device makes it, issued from the simulator: the statements
 * it runs, taken from its code (the key's lookup {@link OpaqueTokens#REG_KEY_LOOKUP_SQL}, the preconditions
 * {@link RegisterDevice#PRECONDITIONS_SQL}, the device with its signal and event {@link RegisterDevice#INSERT_SQL}),
 * and its two acquisitions through the same {@link DeviceAddresses#allocate}, with parameters of the same values and
 * sizes (the event's data is the device's JSON, the token's ciphertext an AES-GCM one of a device token). What it
 * leaves out is the function's own work: HTTP, JSON in and out, authorization, the token's seal for nexd.
 */
final class DirectRegistration {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The purpose DeviceTokenVault encrypts a device token under (the AAD's; it does not change the size). */
    private static final String TOKEN_PURPOSE = "device-token";

    private final Pool db;
    private final DeviceAddresses addresses;
    private final byte[] keyHash;
    /** A key of its own: the ciphertext stands in for the function's, it is never opened. */
    private final SecretsAtRest tokenCipher;

    DirectRegistration(DirectClients clients, String regKeyBearer) {
        this.db = clients.db;
        this.addresses = clients.addresses;
        this.keyHash = BearerTokens.hash(regKeyBearer.replaceFirst("^Bearer ", ""));
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        this.tokenCipher = new SecretsAtRest(Optional.of(Base64.getEncoder().encodeToString(key)));
    }

    /** Registers {@code publicKey}; fails unless the insert returned its row. */
    Uni<Void> register(String publicKey, String hostname, List<Endpoint> endpoints) {
        return db.preparedQuery(OpaqueTokens.REG_KEY_LOOKUP_SQL).execute(Tuple.of(keyHash))
                .map(rows -> one(rows.iterator(), "the registration key was not found"))
                .flatMap(key -> db.preparedQuery(RegisterDevice.PRECONDITIONS_SQL)
                        .execute(Tuple.of(key.getUUID("vpc_id"), publicKey, key.getUUID("id"), key.getUUID("owner_id")))
                        .map(rows -> one(rows.iterator(), "the preconditions found no VPC"))
                        .flatMap(pre -> {
                            if (pre.getUUID("existing_id") != null) {
                                throw new IllegalStateException("public key already registered: " + publicKey);
                            }
                            Vpc vpc = Vpc.from(pre);
                            return addresses.allocate(vpc, null, List.of())
                                    .flatMap(allocation -> insert(key, pre, vpc, allocation, publicKey, hostname, endpoints));
                        }));
    }

    private Uni<Void> insert(Row key, Row pre, Vpc vpc, DeviceAddresses.Allocation allocation, String publicKey,
            String hostname, List<Endpoint> endpoints) {
        UUID deviceId = UUID.randomUUID();
        UUID owner = key.getUUID("owner_id");
        UUID securityGroup = pre.getUUID("key_security_group_id") != null ? pre.getUUID("key_security_group_id") : vpc.id();
        boolean ephemeral = pre.getBoolean("key_ephemeral");
        String token = BearerTokens.newDeviceToken();
        List<String> allowedIps = allocation.allowedIps(false);
        Device registered = new Device(deviceId, owner, vpc.id(), publicKey, allowedIps, List.of(allocation.ipv4()),
                List.of(allocation.ipv6()), List.of(), false, false, hostname, "linux", endpoints, 0, securityGroup, false,
                null, null, ephemeral, null);
        List<Object> values = new ArrayList<>(Arrays.asList(deviceId, owner, vpc.id(), vpc.organizationId(), publicKey,
                allowedIps.toArray(String[]::new), DeviceFields.json(List.of(allocation.ipv4())),
                DeviceFields.json(List.of(allocation.ipv6())), new String[0], false, false, hostname, "linux",
                DeviceFields.json(endpoints), securityGroup, key.getUUID("id"), BearerTokens.hash(token),
                tokenCipher.encrypt(TOKEN_PURPOSE, deviceId, token), Signals.CHANNEL, Signals.devices(vpc.id()), ephemeral,
                pre.getLong("key_token_ttl_seconds")));
        // the event's row, in Outbox.values's order: pending (as the function writes it, sink or not), no trace
        values.addAll(Arrays.asList(UUID.randomUUID(), vpc.organizationId(), EventType.DEVICE_REGISTERED.type(),
                Outbox.source("register-device"), deviceId.toString(), owner, Caller.Kind.REG_KEY.name().toLowerCase(Locale.ROOT),
                json(registered), true, null));
        return db.preparedQuery(RegisterDevice.INSERT_SQL).execute(Tuple.from(values))
                .map(rows -> {
                    if (rows.size() != 1) {
                        throw new IllegalStateException("the insert wrote no row for " + publicKey);
                    }
                    return null;
                });
    }

    private static Row one(java.util.Iterator<Row> rows, String otherwise) {
        if (!rows.hasNext()) {
            throw new IllegalStateException(otherwise);
        }
        return rows.next();
    }

    private static String json(Device device) {
        try {
            return JSON.writeValueAsString(device);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

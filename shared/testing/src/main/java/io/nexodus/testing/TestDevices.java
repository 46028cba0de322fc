package io.nexodus.testing;

import io.nexodus.shared.crypto.TokenSeal;
import io.nexodus.shared.crypto.WireGuardKeys;
import io.nexodus.shared.device.DeviceTokenVault;
import io.nexodus.shared.model.TunnelIp;
import io.nexodus.shared.store.Signals;
import io.quarkus.arc.Arc;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Devices for the tests of functions that act on devices but do not register them ({@code devices},
 * {@code update-device}, {@code gc}, {@code fetch-peers}): the row written straight into the database, as
 * {@code register-device} writes it (its own tests pin that), so that each function is tested without
 * booting another. The addresses are the caller's: a test whose application runs the IPAM server takes them
 * from it first (shared/devices {@code DeviceAddresses.allocate}), so IPAM holds exactly what the row says.
 * The row's write wakes the VPC's watchers as a registration does.
 */
public final class TestDevices {

    private TestDevices() {
    }

    /** A device as a test holds it: its id, its WireGuard public key and its {@code DT:} token (not sealed). */
    public record Seeded(String id, String publicKey, String token) {

        /** {@code Bearer DT:…}: the device's own credential. */
        public String bearer() {
            return "Bearer " + token;
        }
    }

    /** A fresh WireGuard public key, as an agent makes one. */
    public static String newPublicKey() {
        try {
            return TokenSeal.publicKeyOf(WireGuardKeys.newPrivateKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An ordinary device of {@code owner} in {@code vpc} holding {@code ipv4} and {@code ipv6}, advertising nothing. */
    public static Seeded insert(Pool db, String owner, String vpc, TunnelIp ipv4, TunnelIp ipv6) {
        return insert(db, owner, vpc, ipv4, ipv6, List.of(), false);
    }

    /**
     * @param advertised CIDRs the device routes for (already in IPAM when the test's IPAM server holds them)
     * @param ephemeral  registered by an ephemeral key: gc removes it once it is inactive
     */
    public static Seeded insert(Pool db, String owner, String vpc, TunnelIp ipv4, TunnelIp ipv6, List<String> advertised,
            boolean ephemeral) {
        UUID id = UUID.randomUUID();
        String publicKey = newPublicKey();
        // the application's own vault: the token is stored as the functions store it (hash and ciphertext)
        DeviceTokenVault.Issued token = Arc.container().instance(DeviceTokenVault.class).get().issue(id);
        UUID vpcId = UUID.fromString(vpc);
        db.preparedQuery("WITH d AS (INSERT INTO devices (id, owner_id, vpc_id, organization_id, public_key, allowed_ips,"
                        + " ipv4_tunnel_ips, ipv6_tunnel_ips, advertise_cidrs, hostname, os, endpoints, security_group_id,"
                        + " token_hash, token_ciphertext, ephemeral)"
                        + " SELECT $1, $2, v.id, v.organization_id, $3, $4, $5, $6, $7, $8, 'linux', $9, v.id, $10, $11, $12"
                        + " FROM vpcs v WHERE v.id = $13 RETURNING 1)"
                        + " SELECT pg_notify($14, $15) FROM d")
                .execute(Tuple.from(Arrays.asList(id, UUID.fromString(owner), publicKey,
                        new String[] {ipv4.address() + "/32", ipv6.address() + "/128"},
                        new JsonArray().add(ipv4.toJson()), new JsonArray().add(ipv6.toJson()),
                        advertised.toArray(String[]::new), "host-" + publicKey.substring(0, 6),
                        new JsonArray().add(new JsonObject().put("source", "local").put("address", "172.17.0.3:51820")),
                        token.hash(), token.ciphertext(), ephemeral, vpcId, Signals.CHANNEL, Signals.devices(vpcId))))
                .await().indefinitely();
        return new Seeded(id.toString(), publicKey, token.token());
    }
}

package io.nexodus.testing;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.UUID;

/**
 * VPCs for the tests of functions that use them but do not create them: the rows written straight into the
 * database as the {@code vpcs} function writes them (its own tests pin that), the VPC and its default security
 * group with the VPC's id. A private VPC's IPAM namespace is not made here: the device functions make it on
 * first use, as they do for a VPC whose namespace is missing.
 */
public final class TestVpcs {

    private TestVpcs() {
    }

    /** A private-CIDR VPC of {@code organization} with its own prefixes; returns its id. */
    public static String insertPrivate(Pool db, String organization, String ipv4Cidr, String ipv6Cidr) {
        UUID id = UUID.randomUUID();
        UUID org = UUID.fromString(organization);
        db.withTransaction(tx -> tx.preparedQuery("INSERT INTO vpcs (id, organization_id, description, private_cidr,"
                                + " ipv4_cidr, ipv6_cidr) VALUES ($1, $2, 'private', true, $3, $4)")
                        .execute(Tuple.of(id, org, ipv4Cidr, ipv6Cidr))
                        .flatMap(vpc -> tx.preparedQuery("INSERT INTO security_groups (id, organization_id, vpc_id,"
                                + " description) VALUES ($1, $2, $1, 'default vpc security group')").execute(Tuple.of(id, org))))
                .await().indefinitely();
        return id.toString();
    }
}

package io.nexodus.testing;

import io.vertx.mutiny.sqlclient.Pool;

/**
 * What the IPAM server under test holds, read from its tables (it runs in the application under test and
 * keeps them in the test's database): for checking that a function took or gave back addresses and prefixes.
 */
public final class TestIpam {

    private TestIpam() {
    }

    /** Whether {@code address} (without a length) is allocated in any prefix of {@code namespace}. */
    public static boolean holdsAddress(Pool db, String namespace, String address) {
        return TestDb.count(db, "SELECT count(*) FROM ipam_addresses a JOIN ipam_prefixes p ON p.id = a.prefix_id"
                + " WHERE p.namespace = $1 AND host(a.address) = $2", namespace, address) == 1;
    }

    /** Whether {@code cidr} is a prefix of {@code namespace}. */
    public static boolean holdsPrefix(Pool db, String namespace, String cidr) {
        return TestDb.count(db, "SELECT count(*) FROM ipam_prefixes WHERE namespace = $1 AND cidr = $2::text::cidr",
                namespace, cidr) == 1;
    }

    /** Whether the namespace exists. */
    public static boolean hasNamespace(Pool db, String namespace) {
        return TestDb.count(db, "SELECT count(*) FROM ipam_namespaces WHERE name = $1", namespace) == 1;
    }

    /** Every address IPAM holds, in every namespace. */
    public static long addresses(Pool db) {
        return TestDb.count(db, "SELECT count(*) FROM ipam_addresses");
    }

    /** Every prefix IPAM holds, in every namespace. */
    public static long prefixes(Pool db) {
        return TestDb.count(db, "SELECT count(*) FROM ipam_prefixes");
    }
}

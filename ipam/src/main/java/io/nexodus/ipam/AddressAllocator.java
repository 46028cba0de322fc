package io.nexodus.ipam;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Acquires and releases addresses, one row per address in {@code ipam_addresses}.
 *
 * <p>Lowest free first, at a cost that does not grow with the number of allocations: the lowest free
 * address is the smallest entry of {@code ipam_holes} (released addresses below the prefix's
 * watermark) if any, else the first gap at or above the watermark, found by reading a short window
 * of the primary-key index. Each acquire is one statement; the primary key guarantees that no address
 * is handed out twice, whatever the number of callers and replicas. A loser of a race for the same
 * address sees "nothing inserted" and searches again from just past it. The watermark is moved up
 * (compare-and-set on the cursor's epoch, see V1__ipam_schema.sql) once a search walked far enough,
 * so the next searches start close to the first gap.
 */
@ApplicationScoped
public class AddressAllocator {

    /** Rows of the index one search reads at most; a longer run of allocations is crossed by retries. */
    static final int WINDOW = 64;
    /** Move the watermark after walking this many allocated addresses, not on every acquire: the cursor row stays cool. */
    static final int ADVANCE_AFTER = 16;
    static final int MAX_ATTEMPTS = 64;

    // $1 namespace, $2 cidr, $3 search start (null: the watermark), $4 last usable address.
    // Scalar sub-selects make the window an ordered index range scan stopped by LIMIT, never a sort.
    private static final String ACQUIRE_LOWEST = """
            WITH p AS (
                SELECT id, children FROM ipam_prefixes WHERE namespace = $1 AND cidr = $2::text::cidr
            ), cur AS (
                SELECT watermark, epoch FROM ipam_prefix_cursors WHERE prefix_id = (SELECT id FROM p)
            ), lk AS (
                SELECT id FROM ipam_prefixes WHERE id = (SELECT id FROM p) AND children = 0 FOR KEY SHARE
            ), hole AS (
                DELETE FROM ipam_holes
                WHERE prefix_id = (SELECT id FROM lk)
                  AND address = (SELECT h.address FROM ipam_holes h WHERE h.prefix_id = (SELECT id FROM lk)
                                 ORDER BY h.address LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING address
            ), start AS (
                SELECT GREATEST(watermark, COALESCE($3::text::inet, watermark)) AS address FROM cur
            ), w AS (
                SELECT address FROM ipam_addresses
                WHERE prefix_id = (SELECT id FROM p) AND address >= (SELECT address FROM start)
                ORDER BY address LIMIT 64
            ), s AS (
                SELECT address FROM start
                UNION ALL
                SELECT address + 1 FROM w WHERE address < $4::text::inet
            ), gap AS (
                SELECT s.address FROM s WHERE NOT EXISTS (SELECT 1 FROM w WHERE w.address = s.address)
                ORDER BY s.address LIMIT 1
            ), pick AS (
                SELECT COALESCE((SELECT address FROM hole), (SELECT address FROM gap)) AS address,
                       EXISTS (SELECT 1 FROM hole) AS from_hole
            ), ins AS (
                INSERT INTO ipam_addresses (prefix_id, address)
                SELECT lk.id, pick.address FROM lk, pick WHERE pick.address <= $4::text::inet
                ON CONFLICT DO NOTHING
                RETURNING address
            )
            SELECT p.id, p.children, (SELECT epoch FROM cur), host((SELECT watermark FROM cur)),
                   host(pick.address), pick.from_hole, (SELECT host(address) FROM ins),
                   (SELECT count(*) FROM w)
            FROM p, pick
            """;

    // A specific acquire is three statements in one transaction, in the lock order every operation keeps
    // (prefix KEY SHARE, then hole, then address), so none can deadlock with another:
    // 1. lock the prefix and take the address's hole, if any ($1 namespace, $2 cidr, $3 the address);
    private static final String SPECIFIC_UNHOLE = """
            WITH p AS (
                SELECT id, children FROM ipam_prefixes WHERE namespace = $1 AND cidr = $2::text::cidr
            ), lk AS (
                SELECT id FROM ipam_prefixes WHERE id = (SELECT id FROM p) AND children = 0 FOR KEY SHARE
            ), unhole AS (
                DELETE FROM ipam_holes WHERE prefix_id = (SELECT id FROM lk) AND address = $3::text::inet
            )
            SELECT p.id, p.children FROM p
            """;

    // 2. insert the address ($1 prefix id, $2 the address): it may wait for a release of it to commit;
    private static final String SPECIFIC_INSERT = "INSERT INTO ipam_addresses (prefix_id, address)"
            + " VALUES ($1, $2::text::inet) ON CONFLICT DO NOTHING RETURNING host(address)";

    // 3. with a fresh snapshot, drop the hole that such a release made meanwhile. SKIP LOCKED: a lowest
    //    acquirer holding it will find the address taken, and its own delete of the hole commits.
    private static final String SPECIFIC_UNHOLE_AFTER = """
            DELETE FROM ipam_holes WHERE (prefix_id, address) IN (
                SELECT prefix_id, address FROM ipam_holes WHERE prefix_id = $1 AND address = $2::text::inet
                FOR UPDATE SKIP LOCKED)
            """;

    // $1 namespace, $2 cidr, $3 the address. Below the watermark the address becomes a hole; at or
    // above it, the epoch moves so that no acquirer can advance the watermark past it. The prefix's
    // KEY SHARE comes first, as in an acquire: a DeletePrefix (FOR UPDATE, then the DELETE that checks
    // the addresses) then waits for a release or a release for it, never both for each other.
    static final String RELEASE = """
            WITH p AS (
                SELECT id FROM ipam_prefixes WHERE namespace = $1 AND cidr = $2::text::cidr FOR KEY SHARE
            ), d AS (
                DELETE FROM ipam_addresses WHERE prefix_id = (SELECT id FROM p) AND address = $3::text::inet
                RETURNING prefix_id, address
            ), bump AS (
                UPDATE ipam_prefix_cursors c SET epoch = c.epoch + 1
                FROM d WHERE c.prefix_id = d.prefix_id AND c.watermark <= d.address
                RETURNING c.prefix_id
            ), hole AS (
                INSERT INTO ipam_holes (prefix_id, address)
                SELECT prefix_id, address FROM d WHERE NOT EXISTS (SELECT 1 FROM bump)
                ON CONFLICT DO NOTHING
            )
            SELECT p.id, (SELECT count(*) FROM d) FROM p
            """;

    private static final String ADVANCE = "UPDATE ipam_prefix_cursors SET watermark = $2::text::inet"
            + " WHERE prefix_id = $1 AND epoch = $3 AND watermark < $2::text::inet";

    @Inject
    Pool pool;

    /** The lowest free address of the prefix. */
    public Uni<String> acquireLowest(String namespace, Cidr cidr) {
        if (!cidr.hasUsable()) {
            return Uni.createFrom().failure(IpamFailure.noIpAvailable(cidr.toString()));
        }
        return attempt(new Search(namespace, cidr), null, 1);
    }

    /** Tracks one acquire's attempts: what it learned is allocated, to move the watermark by. */
    private static final class Search {
        final String namespace;
        final Cidr cidr;
        long epoch = -1;
        BigInteger watermark;
        /** Everything from the watermark up to here is known allocated (null: nothing known yet). */
        BigInteger knownUpTo;
        long walked;
        /** This search jumped over addresses it never looked at (a spread after lost races). */
        boolean skipped;
        /**
         * The last pass: from the watermark again, no spread. The end of the prefix proves it full only here
         * or in a first pass that never skipped nor lost a race: an address behind a pass's start may have
         * been released while it walked, and a spread jumps over free ones.
         */
        boolean confirming;

        Search(String namespace, Cidr cidr) {
            this.namespace = namespace;
            this.cidr = cidr;
        }
    }

    private Uni<String> attempt(Search search, BigInteger from, int attempt) {
        Cidr cidr = search.cidr;
        return Deadlocks.retried(() -> pool.preparedQuery(ACQUIRE_LOWEST)
                .execute(Tuple.of(search.namespace, cidr.toString(), from == null ? null : cidr.format(from),
                        cidr.format(cidr.lastUsable()))))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return prefixMissing(search.namespace, cidr);
                    }
                    Row row = rows.iterator().next();
                    if (row.getInteger(1) > 0) {
                        return Uni.createFrom().failure(hasChildren(cidr));
                    }
                    String candidate = row.getString(4);
                    boolean fromHole = row.getBoolean(5);
                    String taken = row.getString(6);
                    long prefixId = row.getLong(0);
                    if (attempt == 1) {
                        search.epoch = row.getLong(2);
                        search.watermark = Cidr.addressValue(row.getString(3));
                        search.knownUpTo = search.watermark.subtract(BigInteger.ONE);
                    }
                    BigInteger start = from == null ? search.watermark : from.max(search.watermark);
                    BigInteger picked = candidate == null ? null : Cidr.addressValue(candidate);
                    if (!fromHole && search.knownUpTo != null && start.equals(search.knownUpTo.add(BigInteger.ONE))) {
                        // this search saw [start, picked) allocated: the known run goes on
                        search.knownUpTo = picked == null || picked.compareTo(cidr.lastUsable()) > 0
                                ? cidr.lastUsable() : picked.subtract(BigInteger.ONE);
                        search.walked += row.getLong(7);
                    } else if (!fromHole) {
                        search.knownUpTo = null;
                    }
                    if (taken != null) {
                        if (!fromHole && search.knownUpTo != null && picked.equals(search.knownUpTo.add(BigInteger.ONE))) {
                            search.knownUpTo = picked;
                        }
                        return advance(prefixId, search).replaceWith(taken);
                    }
                    if (picked == null || picked.compareTo(cidr.lastUsable()) > 0) {
                        if (!search.confirming && (search.skipped || from != null)) {
                            search.confirming = true;
                            return advance(prefixId, search).flatMap(x -> attempt(search, null, attempt + 1));
                        }
                        return advance(prefixId, search).flatMap(x -> Uni.createFrom().failure(
                                IpamFailure.noIpAvailable(cidr.toString())));
                    }
                    // A full window ended in a long run of allocations: that is progress, not a lost race.
                    boolean lostRace = row.getLong(7) < WINDOW;
                    if (lostRace && attempt >= MAX_ATTEMPTS) {
                        return Uni.createFrom().failure(IpamFailure.contention(cidr.toString()));
                    }
                    // Lost the race for `picked` (someone else holds it now). Search again just past it;
                    // after repeated losses spread out a little so a crowd does not queue on one address.
                    if (!fromHole && search.knownUpTo != null && picked.equals(search.knownUpTo.add(BigInteger.ONE))) {
                        search.knownUpTo = picked;
                    }
                    int spread = !lostRace || attempt < 3 || search.confirming ? 0 : ThreadLocalRandom.current().nextInt(attempt);
                    search.skipped |= spread > 0 && !fromHole;
                    BigInteger next = fromHole ? null : picked.add(BigInteger.ONE).add(BigInteger.valueOf(spread));
                    return attempt(search, next, lostRace ? attempt + 1 : attempt);
                });
    }

    private Uni<Void> advance(long prefixId, Search search) {
        if (search.knownUpTo == null || search.walked < ADVANCE_AFTER
                || search.knownUpTo.compareTo(search.watermark) <= 0) {
            return Uni.createFrom().voidItem();
        }
        return Deadlocks.retried(() -> pool.preparedQuery(ADVANCE)
                .execute(Tuple.of(prefixId, search.cidr.format(search.knownUpTo), search.epoch)))
                .replaceWithVoid();
    }

    /** Exactly this address, or AlreadyAllocatedError (network and IPv4 broadcast count as allocated). */
    public Uni<String> acquireSpecific(String namespace, Cidr cidr, String ip) {
        BigInteger address = cidr.parseAddress(ip);
        if (!cidr.contains(address)) {
            return Uni.createFrom().failure(IpamFailure.invalid("given ip:" + ip + " is not in " + cidr));
        }
        String text = cidr.format(address);
        if (cidr.isReserved(address)) {
            return Uni.createFrom().failure(IpamFailure.alreadyAllocated(text, cidr.toString()));
        }
        return Deadlocks.retried(() -> pool.withTransaction(tx -> tx.preparedQuery(SPECIFIC_UNHOLE)
                .execute(Tuple.of(namespace, cidr.toString(), text))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return prefixMissing(namespace, cidr);
                    }
                    Row row = rows.iterator().next();
                    if (row.getInteger(1) > 0) {
                        return Uni.createFrom().failure(hasChildren(cidr));
                    }
                    long prefixId = row.getLong(0);
                    return tx.preparedQuery(SPECIFIC_INSERT).execute(Tuple.of(prefixId, text))
                            .flatMap(inserted -> inserted.size() == 0
                                    ? Uni.createFrom().<String>failure(IpamFailure.alreadyAllocated(text, cidr.toString()))
                                    : tx.preparedQuery(SPECIFIC_UNHOLE_AFTER).execute(Tuple.of(prefixId, text))
                                            .replaceWith(text));
                })));
    }

    public Uni<String> release(String namespace, Cidr cidr, String ip) {
        BigInteger address = cidr.parseAddress(ip);
        String text = cidr.format(address);
        if (!cidr.contains(address) || cidr.isReserved(address)) {
            return Uni.createFrom().failure(IpamFailure.addressNotAllocated(text, cidr.toString()));
        }
        return Deadlocks.retried(() -> pool.preparedQuery(RELEASE).execute(Tuple.of(namespace, cidr.toString(), text)))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return prefixMissing(namespace, cidr);
                    }
                    return rows.iterator().next().getLong(1) == 1 ? Uni.createFrom().item(text)
                            : Uni.createFrom().failure(IpamFailure.addressNotAllocated(text, cidr.toString()));
                });
    }

    /** The prefix is not there: say whether the namespace is missing too (go-ipam's tokens). */
    private <T> Uni<T> prefixMissing(String namespace, Cidr cidr) {
        return Namespaces.require(pool, namespace, false)
                .flatMap(x -> Uni.createFrom().failure(IpamFailure.prefixNotFound(cidr.toString())));
    }

    private static io.grpc.StatusRuntimeException hasChildren(Cidr cidr) {
        return IpamFailure.precondition("prefix " + cidr + " has childprefixes, acquire ip not possible");
    }
}

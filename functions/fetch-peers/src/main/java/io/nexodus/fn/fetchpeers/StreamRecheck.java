package io.nexodus.fn.fetchpeers;

import io.nexodus.shared.access.Access;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CredentialLiveness;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Every {@code nexodus.watch.reauthorize-every}, the replica checks again that each open stream's credential stands
 * and that its caller may still read each watched VPC, for all its streams together: at most four queries a round
 * (users, registration keys, device tokens, memberships) however many streams are open. One timer and one query per
 * stream, as before, cost ~130 queries/s per 1,000 idle streams (docs/benchmarks.md, "A fleet from its own process"); a fleet of 10,000 agents would have
 * spent more on asking than on its changes. A stream that fails its check ends with an error event; a round the
 * database could not answer cuts nothing (a stream that was authorised is not cut for a database away).
 */
@ApplicationScoped
public class StreamRecheck {

    private static final Logger LOG = Logger.getLogger(StreamRecheck.class);

    /** One open stream: who opened it, the VPCs it watches, how to end it. */
    record Entry(Caller caller, List<UUID> vpcs, Runnable revoke) {
    }

    @Inject
    Pool db;

    @Inject
    Access access;

    @Inject
    CredentialLiveness credentials;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "nexodus.watch.reauthorize-every", defaultValue = "PT15S")
    Duration every;

    private final Set<Entry> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();

    /** Follows a stream until the returned action is run (its end, whichever way). */
    Runnable add(Caller caller, List<UUID> vpcs, Runnable revoke) {
        Entry entry = new Entry(caller, List.copyOf(vpcs), revoke);
        open.add(entry);
        if (started.compareAndSet(false, true)) {
            vertx.setPeriodic(every.toMillis(), t -> round());
        }
        return () -> open.remove(entry);
    }

    /** One round over every open stream; a round still running when the next is due is not doubled. */
    void round() {
        if (open.isEmpty() || !running.compareAndSet(false, true)) {
            return;
        }
        List<Entry> entries = new ArrayList<>(open);
        List<Access.UserVpc> pairs = new ArrayList<>();
        for (Entry e : entries) {
            if (e.caller().userId() != null) {
                e.vpcs().forEach(vpc -> pairs.add(new Access.UserVpc(e.caller().userId(), vpc)));
            }
        }
        Uni.combine().all().unis(credentials.standing(entries.stream().map(Entry::caller).toList()), access.members(db, pairs))
                .asTuple()
                .subscribe().with(result -> {
                    running.set(false);
                    Set<Caller> standing = result.getItem1();
                    Set<Access.UserVpc> members = result.getItem2();
                    for (Entry e : entries) {
                        if (!standing.contains(e.caller()) || !mayRead(e, members)) {
                            e.revoke().run();
                        }
                    }
                }, failure -> {
                    running.set(false);
                    LOG.debugf("watch re-check skipped this round: %s", failure.getMessage());
                });
    }

    private static boolean mayRead(Entry e, Set<Access.UserVpc> members) {
        Caller c = e.caller();
        if (c.userId() == null) {
            return true;
        }
        for (UUID vpc : e.vpcs()) {
            // a key or device token reads only the VPC it is bound to (checked at open; it cannot change)
            if ((c.vpcId() != null && !c.vpcId().equals(vpc)) || !members.contains(new Access.UserVpc(c.userId(), vpc))) {
                return false;
            }
        }
        return true;
    }

    /** How many streams the next round checks (tests). */
    int size() {
        return open.size();
    }
}

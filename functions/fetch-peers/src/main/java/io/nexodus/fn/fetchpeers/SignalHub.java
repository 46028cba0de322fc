package io.nexodus.fn.fetchpeers;

import io.nexodus.shared.store.Signals;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * This replica's ear on the database: one connection {@code LISTEN}ing on the signal channel, however
 * many watchers the replica serves. Writers {@code NOTIFY} inside their transactions, so a signal
 * means "committed"; every replica hears every signal, so any replica can serve any watcher. Signals
 * carry no data: listeners re-read from their cursor, which makes a lost or duplicated signal harmless
 * (every (re)subscription also wakes everyone, in case something was missed while disconnected).
 *
 * <p>It never gives up: a failover or a maintenance window may keep PostgreSQL away for many minutes,
 * and a hub that stopped trying would leave this replica's watchers deaf for good. Reconnects back off
 * up to a cap, a failed first connect is retried like a lost connection, and readiness reports the
 * hub deaf while it is ({@link SignalsReadiness}).
 */
@ApplicationScoped
public class SignalHub {

    private static final Logger LOG = Logger.getLogger(SignalHub.class);

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    /** Another port for the signal connection only (tests put a relay there to cut it); unset: the datasource's. */
    @ConfigProperty(name = "nexodus.signals.port")
    Optional<Integer> port;

    @ConfigProperty(name = "nexodus.signals.reconnect-delay", defaultValue = "PT0.5S")
    Duration firstDelay;

    @ConfigProperty(name = "nexodus.signals.max-reconnect-delay", defaultValue = "PT5S")
    Duration maxDelay;

    private final Map<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();
    private volatile PgSubscriber subscriber;
    private volatile boolean closing;
    /** When the hub last lost (or never had) its connection; null while it listens. */
    private volatile Instant deafSince;

    /** Starts listening on first use: a replica that serves no watcher holds no extra connection. */
    private synchronized void ensureListening() {
        if (subscriber != null) {
            return;
        }
        PgConnectOptions options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""))
                .setUser(user).setPassword(password);
        port.ifPresent(options::setPort);
        PgSubscriber sub = PgSubscriber.subscriber(vertx, options).reconnectPolicy(this::delayBefore);
        sub.channel(Signals.CHANNEL).handler(this::fire).subscribeHandler(ignored -> listening());
        deafSince = Instant.now();
        this.subscriber = sub;
        connect(sub, 0);
    }

    /** Never negative: a negative delay would make the subscriber give up for good. */
    private long delayBefore(int retries) {
        long delay = firstDelay.toMillis() << Math.min(retries, 16);
        return Math.max(1, Math.min(delay, maxDelay.toMillis()));
    }

    /**
     * The subscriber retries a lost connection by its policy, but not a failed first one, and it ignores
     * {@code connect()} until closed: so a failed first attempt closes it and tries again, here.
     */
    private void connect(PgSubscriber sub, int attempt) {
        sub.connect().onFailure(failure -> {
            if (attempt == 0 || attempt % 100 == 0) {
                LOG.warnf("cannot listen for change signals yet (attempt %d): %s", attempt + 1, failure.getMessage());
            }
            sub.close();
            if (!closing) {
                vertx.setTimer(delayBefore(attempt), t -> connect(sub, attempt + 1));
            }
        });
    }

    /**
     * Subscribed, at start or after a reconnect: wake every watcher, since signals sent while deaf are lost.
     * (The connection's close handler is the subscriber's own, which reconnects: it is not replaced here.)
     */
    private void listening() {
        if (deafSince != null) {
            LOG.infof("listening for change signals (deaf for %s)", Duration.between(deafSince, Instant.now()));
        }
        deafSince = null;
        wakeEveryone();
    }

    /** @return when the hub became deaf, if it is: it holds a subscriber but no live connection */
    public Optional<Instant> deafSince() {
        PgSubscriber sub = subscriber;
        if (sub == null) {
            return Optional.empty();
        }
        if (sub.actualConnection() != null) {
            return Optional.empty();
        }
        Instant since = deafSince;
        if (since == null) {
            since = Instant.now();
            deafSince = since;
            LOG.warn("lost the change-signal connection; reconnecting");
        }
        return Optional.of(since);
    }

    /** @return a handle that stops the subscription */
    public Runnable subscribe(String signal, Runnable listener) {
        ensureListening();
        listeners.computeIfAbsent(signal, s -> new CopyOnWriteArraySet<>()).add(listener);
        return () -> listeners.computeIfPresent(signal, (s, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    void fire(String signal) {
        Set<Runnable> set = listeners.get(signal);
        if (set != null) {
            set.forEach(SignalHub::runSafely);
        }
    }

    private void wakeEveryone() {
        listeners.values().forEach(set -> set.forEach(SignalHub::runSafely));
    }

    private static void runSafely(Runnable listener) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            LOG.warn("a change listener failed", e);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        closing = true;
        if (subscriber != null) {
            subscriber.close();
        }
    }
}

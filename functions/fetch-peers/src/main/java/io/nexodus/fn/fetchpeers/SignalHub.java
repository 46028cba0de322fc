package io.nexodus.fn.fetchpeers;

import io.nexodus.shared.store.Signals;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
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
 * (a reconnect also wakes everyone, in case something was missed while disconnected).
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

    private final Map<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();
    private volatile PgSubscriber subscriber;

    /** Starts listening on first use: a replica that serves no watcher holds no extra connection. */
    private synchronized void ensureListening() {
        if (subscriber != null) {
            return;
        }
        PgConnectOptions options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""))
                .setUser(user).setPassword(password);
        PgSubscriber sub = PgSubscriber.subscriber(vertx, options)
                .reconnectPolicy(retries -> retries < 1000 ? 500L : -1L);
        sub.channel(Signals.CHANNEL).handler(this::fire);
        sub.connect().onSuccess(ok -> {
            LOG.debug("listening for change signals");
            wakeEveryone();
        }).onFailure(f -> LOG.warnf("cannot listen for change signals yet: %s", f.getMessage()));
        this.subscriber = sub;
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
        if (subscriber != null) {
            subscriber.close();
        }
    }
}

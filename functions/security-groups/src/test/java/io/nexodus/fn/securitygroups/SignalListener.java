package io.nexodus.fn.securitygroups;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.shared.store.Signals;
import io.nexodus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** Listens on the signal channel of the test database, as a fetch-peers replica does. */
final class SignalListener implements AutoCloseable {

    private final Connection connection;

    private SignalListener(Connection connection) {
        this.connection = connection;
    }

    static SignalListener open() throws SQLException {
        TestPostgres pg = TestPostgres.get();
        String database = ConfigProvider.getConfig().getValue("nexodus.test.database", String.class);
        Connection c = DriverManager.getConnection(pg.jdbcUrl(database), pg.user(), pg.password());
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + Signals.CHANNEL);
        }
        return new SignalListener(c);
    }

    /** Exactly these signals arrive, each once (within five seconds: one transaction's arrive together). */
    void expect(Set<String> signals) throws SQLException {
        List<String> received = next(5000);
        assertEquals(signals.size(), received.size(), "signals " + received);
        assertEquals(signals, Set.copyOf(received));
    }

    void expectNothing() throws SQLException {
        assertEquals(List.of(), next(500));
    }

    private List<String> next(int timeoutMillis) throws SQLException {
        List<String> out = new ArrayList<>();
        PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(timeoutMillis);
        if (notifications != null) {
            for (PGNotification n : notifications) {
                out.add(n.getParameter());
            }
        }
        return out;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}

package io.nexodus.tests;

import io.nexodus.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Debian's PgBouncer (a real pooler, 1.18 in Debian 12) in transaction mode in front of a PostgreSQL server, as
 * deploy/components/pgbouncer puts CloudNativePG's in front of the functions: {@code pool_mode = transaction},
 * {@code ignore_startup_parameters = extra_float_digits,options} (what CloudNativePG always adds), few server
 * connections for many clients. Debian 12's release tracks no prepared statements across server connections
 * (PgBouncer 1.21 added that, {@code max_prepared_statements}), so it stands for every pooler that does not.
 * PgBouncer refuses to run as root: as root (CI) it runs in a user namespace ({@code unshare -U}), as the
 * embedded PostgreSQL does.
 */
final class PgBouncerProcess implements AutoCloseable {

    final int port;
    private final Process process;

    private PgBouncerProcess(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Debian's binary, where installed. */
    static Optional<Path> binary() {
        return Tools.find("pgbouncer");
    }

    /**
     * @param users          the logins it passes on: name → password (it logs in to the server with them)
     * @param serverPoolSize server connections per database and user ({@code default_pool_size})
     */
    static PgBouncerProcess start(Path binary, String serverHost, int serverPort, Map<String, String> users,
            int serverPoolSize, int port) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("pgbouncer", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path log = dir.resolve("pgbouncer.log");
        Files.writeString(dir.resolve("users.txt"), users.entrySet().stream()
                .map(u -> "\"" + u.getKey() + "\" \"" + u.getValue() + "\"").collect(Collectors.joining("\n", "", "\n")));
        String admins = String.join(",", users.keySet());
        Files.writeString(dir.resolve("pgbouncer.ini"), """
                [databases]
                * = host=%s port=%d
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                auth_type = trust
                auth_file = %s
                admin_users = %s
                pool_mode = transaction
                default_pool_size = %d
                max_client_conn = 200
                ignore_startup_parameters = extra_float_digits,options
                logfile = %s
                """.formatted(serverHost, serverPort, port, dir.resolve("users.txt"), admins, serverPoolSize, log));
        for (Path file : List.of(dir.resolve("users.txt"), dir.resolve("pgbouncer.ini"))) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(binary.toString(), dir.resolve("pgbouncer.ini").toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        Tools.awaitListening(process, port, "pgbouncer", dir.resolve("stdout.log"), Duration.ofSeconds(30));
        return new PgBouncerProcess(port, process);
    }

    @Override
    public void close() {
        process.destroy();
    }
}

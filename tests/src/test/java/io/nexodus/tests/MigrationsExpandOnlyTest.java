package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The expand/contract rule of shared/migrations/README.md: a migration that removes or changes what the
 * previous release reads or writes is listed there, with the reason that release keeps working. The
 * previous release's functions keep serving while a new migration is applied, so an unlisted contract
 * statement would break a rolling upgrade.
 */
class MigrationsExpandOnlyTest {

    /** Statements that take away or change what older code may use. */
    private static final Pattern CONTRACT = Pattern.compile(
            "\\bdrop\\s+(table|column|constraint|index|trigger|view|function|type)\\b|\\brename\\b"
                    + "|\\balter\\s+column\\s+\\S+\\s+(set\\s+data\\s+)?type\\b|\\bset\\s+not\\s+null\\b");

    @Test
    void everyContractStatementIsInAMigrationListedWithItsReason() throws IOException {
        Path dir = Repo.root().resolve("shared/migrations/src/main/resources/db/migration");
        String readme = Files.readString(Repo.root().resolve("shared/migrations/README.md"));
        List<String> unlisted = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                String sql = Files.readAllLines(file).stream().map(line -> line.replaceFirst("--.*$", ""))
                        .reduce("", (a, b) -> a + "\n" + b).toLowerCase(Locale.ROOT);
                if (CONTRACT.matcher(sql).find() && !readme.contains("| " + name + " |")) {
                    unlisted.add(name);
                }
            }
        }
        assertEquals(List.of(), unlisted, "contract statements in migrations not listed in shared/migrations/README.md");
    }
}

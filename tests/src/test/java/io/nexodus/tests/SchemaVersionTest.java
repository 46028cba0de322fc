package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.shared.health.SchemaReadiness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The schema version the functions wait for (readiness) is the newest migration they are built with. */
class SchemaVersionTest {

    @Test
    void theRequiredSchemaIsTheNewestMigration() throws IOException {
        Pattern version = Pattern.compile("V(\\d+)__.*\\.sql");
        int newest = 0;
        try (Stream<Path> files = Files.list(Repo.root().resolve("shared/migrations/src/main/resources/db/migration"))) {
            for (Path file : files.toList()) {
                Matcher m = version.matcher(file.getFileName().toString());
                if (m.matches()) {
                    newest = Math.max(newest, Integer.parseInt(m.group(1)));
                }
            }
        }
        assertEquals(newest, SchemaReadiness.REQUIRED,
                "SchemaReadiness.REQUIRED must name the newest migration (V" + newest + "): set it with the migration");
    }
}

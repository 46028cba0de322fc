package io.nexodus.tests;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's root, found from wherever the test runs. */
final class Repo {

    private Repo() {
    }

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("functions/ROUTES.md"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository root (functions/ROUTES.md)");
        }
        return dir;
    }
}

package io.nexodus.ops;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's root, from where Maven runs (system property nexodus.repo) or by walking up. */
final class Repo {

    private Repo() {
    }

    static Path root() {
        String fromMaven = System.getProperty("nexodus.repo");
        Path start = fromMaven != null && !fromMaven.isBlank() ? Path.of(fromMaven) : Path.of("").toAbsolutePath();
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("functions/ROUTES.md"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root not found above " + start);
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

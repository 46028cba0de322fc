package io.nexodus.ops;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * External tools a test needs (kubectl, shellcheck). Missing on a developer's machine: the test is
 * skipped with a loud warning on stderr (JUnit counts it as skipped, never as passed). Missing where
 * CI=true: the test fails, so CI cannot go green without running it (.ci/run installs them).
 */
final class Tools {

    private Tools() {
    }

    static Optional<Path> find(String name) {
        return find(name, System.getenv());
    }

    static Optional<Path> find(String name, java.util.Map<String, String> env) {
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static Path require(String name, String why) {
        return require(name, why, System.getenv());
    }

    static Path require(String name, String why, java.util.Map<String, String> env) {
        Optional<Path> tool = find(name, env);
        if (tool.isPresent()) {
            return tool.get();
        }
        String message = "'" + name + "' is not on PATH: " + why + " cannot be checked";
        if ("true".equalsIgnoreCase(env.get("CI"))) {
            fail(message + " (CI=true: a tool missing in CI is a failure; .ci/run installs it)");
        }
        System.err.println();
        System.err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        System.err.println("!!! SKIPPED, NOT PASSED: " + message);
        System.err.println("!!! install it (Debian: apt-get install -y " + debianPackage(name) + ") and run again");
        System.err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }

    private static String debianPackage(String tool) {
        return switch (tool) {
            case "kubectl" -> "kubectl (or a kubectl >= 1.27 from your distribution)";
            default -> tool;
        };
    }
}

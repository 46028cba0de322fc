package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * External tools a test needs (haproxy). Missing on a developer's machine: the test is skipped with a
 * loud warning (JUnit counts it skipped, never passed). Missing where CI=true: the test fails (.ci/run
 * installs it).
 */
final class Tools {

    private Tools() {
    }

    static Path require(String name, String why) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin"}) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        String message = "'" + name + "' is not installed: " + why + " cannot be checked";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI=true: a tool missing in CI is a failure; .ci/run installs it)");
        }
        System.err.println();
        System.err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        System.err.println("!!! SKIPPED, NOT PASSED: " + message);
        System.err.println("!!! install it (Debian: apt-get install -y " + name + ") and run again");
        System.err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }

}

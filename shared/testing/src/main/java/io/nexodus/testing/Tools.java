package io.nexodus.testing;

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
public final class Tools {

    private Tools() {
    }

    public static Path require(String name, String why) {
        return find(name).orElseThrow(() -> missing("'" + name + "' is not installed: " + why + " cannot be checked",
                "a tool missing in CI is a failure; .ci/run installs it", "install it (Debian: apt-get install -y " + name + ")"));
    }

    /** An executable named {@code name} on the PATH or in /usr/sbin or /sbin (where Debian puts haproxy). */
    public static java.util.Optional<Path> find(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return java.util.Optional.of(candidate);
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin"}) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return java.util.Optional.of(Path.of(dir, name));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * What a test does when something it needs beyond a JDK and Maven is missing: fails under CI=true, else is
     * skipped with a banner no one can read as a pass.
     *
     * @param inCi  why that is a failure in CI
     * @param remedy what a developer does about it
     * @return never: it fails or aborts (so a caller can write {@code throw missing(...)})
     */
    public static AssertionError missing(String message, String inCi, String remedy) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI=true: " + inCi + ")");
        }
        System.err.println();
        System.err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        System.err.println("!!! SKIPPED, NOT PASSED: " + message);
        System.err.println("!!! " + remedy + " and run again");
        System.err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        Assumptions.abort(message);
        return new AssertionError("unreachable");
    }

    /**
     * A JDK home of at least that major version: named by KEYCLOAK_JAVA_HOME, JAVA_HOME, this JVM, or installed under
     * /usr/lib/jvm (CI has OpenJDK 17 and Temurin 25 there).
     */
    public static java.util.Optional<Path> jdk(int minMajor) {
        java.util.stream.Stream<String> named = java.util.stream.Stream.of(System.getenv("KEYCLOAK_JAVA_HOME"),
                System.getenv("JAVA_HOME"), System.getProperty("java.home"));
        java.util.stream.Stream<String> installed = java.util.stream.Stream.empty();
        try (java.util.stream.Stream<Path> jvms = Files.list(Path.of("/usr/lib/jvm"))) {
            installed = jvms.map(Path::toString).toList().stream();
        } catch (java.io.IOException none) {
            // no /usr/lib/jvm
        }
        return java.util.stream.Stream.concat(named, installed).filter(s -> s != null && !s.isBlank()).map(Path::of)
                .filter(home -> Files.isExecutable(home.resolve("bin/java")) && major(home) >= minMajor).findFirst();
    }

    /** The {@code java} of a JDK of at least that major version ({@link #jdk}), or the test fails (CI) or is skipped. */
    public static Path requireJava(int minMajor, String why) {
        return jdk(minMajor).map(home -> home.resolve("bin/java")).orElseThrow(() -> missing(
                "no JDK " + minMajor + " or later: " + why + " cannot be checked", "CI has Temurin 25 under /usr/lib/jvm",
                "install a JDK " + minMajor + " or later (e.g. Temurin 25 under /usr/lib/jvm, or JAVA_HOME)"));
    }

    private static int major(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring(13).replace("\"", "");
                    return Integer.parseInt(version.split("[.+-]")[0]);
                }
            }
        } catch (java.io.IOException | NumberFormatException unreadable) {
            // not a JDK we can tell
        }
        return 0;
    }

    /**
     * Waits until something listens on {@code 127.0.0.1:port} (a server started as a child process, which may speak
     * no HTTP); destroys the process and throws, naming {@code what} and where its output went, when it exits first or
     * is not listening {@code within}.
     */
    public static void awaitListening(Process process, int port, String what, Path output, java.time.Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited with " + process.exitValue() + "; see " + output);
            }
            try (java.net.Socket probe = new java.net.Socket()) {
                probe.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(50);
            }
        }
        process.destroy();
        throw new IllegalStateException(what + " was not listening on " + port + " within " + within + "; see " + output);
    }
}

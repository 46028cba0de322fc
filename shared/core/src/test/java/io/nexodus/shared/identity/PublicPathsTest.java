package io.nexodus.shared.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Public paths are matched by whole path segments: a public prefix never opens a sibling that merely starts with the
 * same letters ({@code /device/} is the login flow; {@code /devices} is not below it).
 */
class PublicPathsTest {

    private static final List<String> PUBLIC = List.of("/q/", "/device/", "/openapi", "/private/live");

    @Test
    void aPathIsPublicOnlyAtOrBelowAPublicPrefix() {
        Map<String, Boolean> expected = new TreeMap<>(Map.ofEntries(
                Map.entry("/q", true), Map.entry("/q/health/ready", true), Map.entry("/device/login/start", true),
                Map.entry("/openapi", true), Map.entry("/openapi/functions.json", true), Map.entry("/private/live", true),
                Map.entry("/qq/health", false), Map.entry("/devices", false), Map.entry("/api/devices", false),
                Map.entry("/openapi-admin", false), Map.entry("/private/liveness", false), Map.entry("/private/gc", false)));
        Map<String, Boolean> actual = new TreeMap<>();
        expected.keySet().forEach(path -> actual.put(path, PublicPaths.covers(PUBLIC, path)));
        assertEquals(expected, actual);
    }
}

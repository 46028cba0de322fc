package io.nexodus.shared.identity;

import java.util.List;

/**
 * The paths that take no token ({@code nexodus.auth.public-paths}), by whole path segments: {@code /q/} covers
 * {@code /q/health} but {@code /openapi} covers only {@code /openapi} and what lies below it, never a future
 * {@code /openapi-admin}. Authentication skips them; the API description says they need no token.
 */
public final class PublicPaths {

    /** The setting that lists them. */
    public static final String SETTING = "nexodus.auth.public-paths";

    private PublicPaths() {
    }

    public static boolean covers(List<String> prefixes, String path) {
        for (String prefix : prefixes) {
            String base = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
            if (path.equals(base) || path.startsWith(base + "/")) {
                return true;
            }
        }
        return false;
    }
}

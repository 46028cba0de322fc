package io.nexodus.shared.websession;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The web console's origins ({@code NEXODUS_CONSOLE_ORIGINS}, the very list CORS allows): where a sign-in or
 * sign-out may send the browser back to (Nexodus redirected anywhere: an open redirect), and which pages may
 * write with the session cookie (CSRF).
 */
@ApplicationScoped
public class ConsoleOrigins {

    private final Set<String> origins;

    @Inject
    ConsoleOrigins(@ConfigProperty(name = "quarkus.http.cors.origins") Optional<List<String>> configured) {
        origins = configured.orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(ConsoleOrigins::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /** An {@code Origin} header's value, as a browser sends it: {@code scheme://host[:port]}. */
    public boolean isTrusted(String origin) {
        return origin != null && origins.contains(normalize(origin));
    }

    /** An absolute http(s) URL on a trusted origin, without user info (which could disguise the host). */
    public boolean isTrustedTarget(String url) {
        if (url == null || url.isBlank()) {
            return false;
        }
        try {
            URI uri = new URI(url);
            if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null
                    || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
                return false;
            }
            int port = uri.getPort();
            boolean defaultPort = port == -1 || port == ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
            return isTrusted(uri.getScheme() + "://" + uri.getHost() + (defaultPort ? "" : ":" + port));
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}

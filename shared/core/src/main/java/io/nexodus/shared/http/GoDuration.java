package io.nexodus.shared.http;

import io.nexodus.shared.error.ApiErrors;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's duration syntax ({@code 24h}, {@code 1h30m}, {@code 90s}, {@code 500ms}), which Nexodus's
 * {@code /private/gc?retention=} takes, and a registration key's {@code device_token_ttl}.
 * {@link Duration#parse} reads ISO-8601 only, hence this.
 */
public final class GoDuration {

    private static final Pattern WHOLE = Pattern.compile("(\\d+(?:\\.\\d+)?(?:h|m|s|ms|us|µs|ns))+");
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us|µs|ns)");
    private static final Map<String, Long> NANOS = Map.of("h", 3_600_000_000_000L, "m", 60_000_000_000L,
            "s", 1_000_000_000L, "ms", 1_000_000L, "us", 1_000L, "µs", 1_000L, "ns", 1L);

    private GoDuration() {
    }

    /** @param field the parameter named in the 400 answer when {@code text} is not a duration */
    public static Duration parse(String text, String field) {
        if (text == null || text.equals("0")) {
            return Duration.ZERO;
        }
        if (!WHOLE.matcher(text).matches()) {
            throw ApiErrors.invalidField(field, "not a duration such as 24h, 1h30m or 90s");
        }
        double nanos = 0;
        Matcher part = PART.matcher(text);
        while (part.find()) {
            nanos += Double.parseDouble(part.group(1)) * NANOS.get(part.group(2));
        }
        return Duration.ofNanos((long) nanos);
    }

    /** Whole seconds as Go prints a duration: {@code 24h0m0s}, {@code 1m30s}, {@code 45s}. */
    public static String format(Duration duration) {
        long seconds = duration.toSeconds();
        long hours = seconds / 3600;
        long minutes = seconds % 3600 / 60;
        long rest = seconds % 60;
        if (hours > 0) {
            return hours + "h" + minutes + "m" + rest + "s";
        }
        return minutes > 0 ? minutes + "m" + rest + "s" : rest + "s";
    }
}

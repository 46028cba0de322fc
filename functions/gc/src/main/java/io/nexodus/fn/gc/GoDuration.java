package io.nexodus.fn.gc;

import io.nexodus.shared.error.ApiErrors;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's duration syntax ({@code 24h}, {@code 1h30m}, {@code 90s}, {@code 500ms}), which Nexodus's
 * {@code /private/gc?retention=} takes. {@link Duration#parse} reads ISO-8601 only, hence this.
 */
final class GoDuration {

    private static final Pattern WHOLE = Pattern.compile("(\\d+(?:\\.\\d+)?(?:h|m|s|ms|us|µs|ns))+");
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us|µs|ns)");
    private static final Map<String, Long> NANOS = Map.of("h", 3_600_000_000_000L, "m", 60_000_000_000L,
            "s", 1_000_000_000L, "ms", 1_000_000L, "us", 1_000L, "µs", 1_000L, "ns", 1L);

    private GoDuration() {
    }

    /** @param field the parameter named in the 400 answer when {@code text} is not a duration */
    static Duration parse(String text, String field) {
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
}

package io.nexodus.shared.identity;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A replica's memory of access tokens whose signature it already checked, so that an agent or CLI
 * reusing its token does not pay an RSA verification per request (it was a third of register-device's
 * CPU). Only the signature check is remembered: an entry expires with the token (and after at most a
 * minute), the user is still resolved in the database on every request, and losing the cache changes
 * nothing but speed.
 */
final class VerifiedTokens {

    static final int MAX_ENTRIES = 10_000;
    static final long MAX_AGE_MILLIS = 60_000;

    private record Entry(TokenProfile profile, long validUntilMillis) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    TokenProfile get(String token) {
        Entry entry = entries.get(token);
        if (entry == null) {
            return null;
        }
        if (entry.validUntilMillis() < System.currentTimeMillis()) {
            entries.remove(token);
            return null;
        }
        return entry.profile();
    }

    /** @param expiresAtSeconds the token's {@code exp} claim */
    void put(String token, TokenProfile profile, long expiresAtSeconds) {
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        long until = Math.min(expiresAtSeconds * 1000, System.currentTimeMillis() + MAX_AGE_MILLIS);
        entries.put(token, new Entry(profile, until));
    }
}

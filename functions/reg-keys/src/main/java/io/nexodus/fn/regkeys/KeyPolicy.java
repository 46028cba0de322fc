package io.nexodus.fn.regkeys;

import io.nexodus.fn.regkeys.Inputs.AddRegKey;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.http.GoDuration;
import java.time.Duration;

/**
 * What a new key allows beyond Nexodus, checked once: how many devices it may register (a single-use key
 * is the limit-1 case), whether they are ephemeral, how long their tokens live. Absent, each is Nexodus's
 * behaviour: unlimited (or one, for {@code single_use}), ordinary devices, tokens that never expire.
 *
 * @param usageLimit      null: unlimited
 * @param tokenTtlSeconds null: device tokens never expire
 */
record KeyPolicy(Integer usageLimit, boolean ephemeral, Long tokenTtlSeconds) {

    /** Shorter lifetimes would expire tokens between an agent's calls; nobody wants that by mistake. */
    static final Duration MIN_TOKEN_TTL = Duration.ofMinutes(1);

    static KeyPolicy of(AddRegKey input) {
        boolean singleUse = Boolean.TRUE.equals(input.singleUse());
        Integer limit = input.usageLimit();
        if (limit != null && limit < 1) {
            throw ApiErrors.invalidField("usage_limit", "must be at least 1");
        }
        if (singleUse && limit != null && limit != 1) {
            throw ApiErrors.invalidField("usage_limit", "a single_use key has a usage_limit of 1");
        }
        Long ttl = null;
        if (input.deviceTokenTtl() != null) {
            Duration lifetime = GoDuration.parse(input.deviceTokenTtl(), "device_token_ttl");
            if (lifetime.compareTo(MIN_TOKEN_TTL) < 0) {
                throw ApiErrors.invalidField("device_token_ttl", "must be at least 1m");
            }
            ttl = lifetime.toSeconds();
        }
        return new KeyPolicy(singleUse ? Integer.valueOf(1) : limit, Boolean.TRUE.equals(input.ephemeral()), ttl);
    }
}

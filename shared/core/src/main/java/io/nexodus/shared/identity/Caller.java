package io.nexodus.shared.identity;

import java.util.UUID;

/**
 * Who is calling, resolved once per request by {@link BearerAuthentication} before any binding runs.
 *
 * @param userId       the local user the request acts as (for registration keys and device tokens: their owner;
 *                     null for the service token)
 * @param subject      the identity provider's subject of that user (null for opaque tokens)
 * @param kind         which credential was presented
 * @param credentialId the registration key's id ({@code RK:}) or the device's id ({@code DT:}); null for users
 * @param vpcId        the VPC a registration key or device is bound to; null for users
 * @param tokenHash    the hash of the {@code RK:}/{@code DT:} token presented (as stored); null for others. A
 *                     watch stream re-checks the very token it was opened with: after a rotation the device
 *                     still exists, its old token does not
 */
public record Caller(UUID userId, String subject, Kind kind, UUID credentialId, UUID vpcId, byte[] tokenHash) {

    /** The credential a request carried. */
    public enum Kind {
        /** an OpenID Connect access token */
        USER_TOKEN,
        /** {@code RK:…}, a registration key */
        REG_KEY,
        /** {@code DT:…}, a device token */
        DEVICE_TOKEN,
        /** the cluster's service token ({@link ServiceToken}): scheduled work only, acting as no user */
        SERVICE,
        /**
         * no credential at all, on the schedule's tick (a PingSource's CloudEvent): it may only ask gc for a sweep,
         * which gc runs at most once per {@code nexodus.gc.min-interval}. No secret rides in the PingSource, whose
         * spec anyone with the namespace's view role reads.
         */
        SCHEDULE
    }

    /** Key under which the caller is kept on the Vert.x routing context of the request. */
    public static final String CONTEXT_KEY = "nexodus.caller";

    public static Caller user(UUID userId, String subject) {
        return new Caller(userId, subject, Kind.USER_TOKEN, null, null, null);
    }

    public static Caller schedule() {
        return new Caller(null, null, Kind.SCHEDULE, null, null, null);
    }

    public static Caller service() {
        return new Caller(null, null, Kind.SERVICE, null, null, null);
    }

    /**
     * The credential as a stable name: {@code device_token:<device id>}, {@code reg_key:<key id>},
     * {@code user_token:<user id>} (every token of one user is one caller), {@code service:null}. What per-caller
     * state is keyed by (an inbound event's claim, a cap on open streams).
     */
    public String key() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + (credentialId != null ? credentialId : userId);
    }

    public boolean isUser() {
        return kind == Kind.USER_TOKEN;
    }
}

package io.nexodus.shared.device;

/**
 * The watch streams that hold devices online: one {@code device_sessions} row per open stream, whose replica refreshes
 * its {@code heartbeat_at} every minute (fetch-peers {@code OnlineTracker}). A row whose heartbeat is older than
 * {@link #STALE} belongs to a replica that died or froze, and holds nothing: what fetch-peers' online writes and gc's
 * sweep of stale online status both read.
 */
public final class DeviceSessions {

    /** How long a heartbeat counts, as a PostgreSQL interval: three missed refreshes. */
    public static final String STALE = "3 minutes";

    /** SQL: {@code <device id expression>} holds a live session. */
    public static String isHeld(String deviceId) {
        return "EXISTS (SELECT 1 FROM device_sessions s WHERE s.device_id = " + deviceId
                + " AND s.heartbeat_at > now() - interval '" + STALE + "')";
    }

    private DeviceSessions() {
    }
}

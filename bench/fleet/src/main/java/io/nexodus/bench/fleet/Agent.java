package io.nexodus.bench.fleet;

import io.nexodus.shared.crypto.TokenSeal;
import io.nexodus.shared.crypto.WireGuardKeys;
import io.nexodus.shared.devices.DeviceFields;
import io.nexodus.shared.model.Endpoint;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * One simulated nexd: a WireGuard key pair, its device and token, and its one watch stream with the three watches
 * nexd opens (device, security-group, device-metadata key relay; docs/upstream.md "The calls nexd makes"). It keeps,
 * per kind, the last revision seen (what it resumes from) and when it saw each of its recent revisions, so that the
 * delay of one change can be read exactly once the change's revision is known.
 */
final class Agent {

    static final String[] KINDS = {"device", "security-group", "device-metadata"};
    private static final int RING = 32;

    final int index;
    final byte[] privateKey = WireGuardKeys.newPrivateKey();
    final String publicKey;
    volatile String id;
    volatile String token;

    /** Last revision seen per kind: what a reconnect sends as gt_revision (with at_tail true). */
    final long[] cursor = new long[3];
    final boolean[] tail = new boolean[3];
    /** The revisions just seen, per kind, and their arrival times (nanoTime): read by the change tracker. */
    private final long[][] ringRevision = new long[3][RING];
    private final long[][] ringNanos = new long[3][RING];
    private final int[] ringNext = new int[3];

    volatile boolean open;
    /** How many streams this agent has had answered 200 (1 + its reconnects). */
    volatile int streams;
    long events;
    /** Events at or below the cursor: a resume that replays what the agent had. */
    long replayed;
    long bytes;
    volatile String lastError;
    HttpClientResponse response;
    private final StringBuilder partial = new StringBuilder();

    Agent(int index) {
        this.index = index;
        try {
            publicKey = TokenSeal.publicKeyOf(privateKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String openToken(String sealed) {
        try {
            return TokenSeal.openV1(sealed, publicKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the device token does not open with the agent's key", e);
        }
    }

    /** The registration nexd sends: the same hostname and endpoints as {@link #endpoints} (the direct baseline's). */
    String registerBody(String vpcId) {
        return "{\"vpc_id\":\"" + vpcId + "\",\"public_key\":\"" + publicKey + "\",\"hostname\":\"" + hostname()
                + "\",\"os\":\"linux\",\"endpoints\":" + DeviceFields.json(endpoints()).encode() + "}";
    }

    String hostname() {
        return "fleet-" + index;
    }

    /** A local address and a STUN-reflexive one, as nexd reports them. */
    List<Endpoint> endpoints() {
        return List.of(new Endpoint("local", "10.0." + (index / 250 % 250) + "." + (index % 250 + 1) + ":51820"),
                new Endpoint("stun:stun1.l.google.com:19302", "203.0.113." + (index % 250 + 1) + ":" + (20000 + index % 40000)));
    }

    /** The watch request nexd sends (its informers in internal/nexodus/nexodus.go): a resume carries the cursors. */
    synchronized String watchBody(String vpcId) {
        StringBuilder b = new StringBuilder("[");
        for (int k = 0; k < 3; k++) {
            if (k > 0) {
                b.append(',');
            }
            b.append("{\"kind\":\"").append(KINDS[k]).append("\",\"gt_revision\":").append(cursor[k])
                    .append(",\"at_tail\":").append(tail[k]).append(",\"options\":{\"vpc-id\":\"").append(vpcId).append('"');
            if (k == 2) {
                b.append(",\"key\":\"relay\",\"prefixes\":null");
            }
            b.append("}}");
        }
        return b.append(']').toString();
    }

    /** Sets where a stream starts (a fresh agent: 0 and not at tail, as nexd; a current one: its revisions). */
    synchronized void startAt(long[] revisions, boolean atTail) {
        for (int k = 0; k < 3; k++) {
            cursor[k] = revisions[k];
            tail[k] = atTail;
        }
    }

    /** Feeds bytes of the stream; called on the stream's event loop only. */
    void onChunk(Buffer chunk) {
        bytes += chunk.length();
        partial.append(chunk.toString(StandardCharsets.UTF_8));
        int from = 0;
        int nl;
        while ((nl = partial.indexOf("\n", from)) >= 0) {
            if (nl > from) {
                onLine(partial.substring(from, nl));
            }
            from = nl + 1;
        }
        partial.delete(0, from);
    }

    void resetPartial() {
        partial.setLength(0);
    }

    /**
     * One event line. The renderer writes {@code kind} first and {@code type} second; only the device's or group's
     * own {@code revision} is a member named so: a scan, not a parse, so that 10,000 streams cost the simulator
     * little (its CPU is reported, and shares the machine).
     */
    private void onLine(String line) {
        long now = System.nanoTime();
        int k = line.startsWith("{\"kind\":\"device\"") ? 0
                : line.startsWith("{\"kind\":\"security-group\"") ? 1
                : line.startsWith("{\"kind\":\"device-metadata\"") ? 2 : -1;
        if (line.contains("\"type\":\"error\"")) {
            lastError = line;
            return;
        }
        if (k < 0) {
            return;
        }
        if (line.contains("\"type\":\"tail\"")) {
            synchronized (this) {
                tail[k] = true;
            }
            return;
        }
        int at = line.indexOf("\"revision\":");
        if (at < 0) {
            return;
        }
        int start = at + 11;
        int end = start;
        while (end < line.length() && Character.isDigit(line.charAt(end))) {
            end++;
        }
        long revision = Long.parseLong(line, start, end, 10);
        synchronized (this) {
            events++;
            if (revision <= cursor[k]) {
                replayed++;
                return;
            }
            cursor[k] = revision;
            int slot = ringNext[k]++ % RING;
            ringRevision[k][slot] = revision;
            ringNanos[k][slot] = now;
        }
    }

    synchronized long cursor(int kind) {
        return cursor[kind];
    }

    synchronized boolean atTail() {
        return tail[0] && tail[1] && tail[2];
    }

    /** When this agent first saw a revision at or above {@code revision} of {@code kind}; -1 if not (yet, or out of the ring). */
    synchronized long sawAt(int kind, long revision) {
        long best = -1;
        long bestRevision = Long.MAX_VALUE;
        for (int i = 0; i < RING; i++) {
            long r = ringRevision[kind][i];
            if (r >= revision && r < bestRevision) {
                bestRevision = r;
                best = ringNanos[kind][i];
            }
        }
        return best;
    }
}

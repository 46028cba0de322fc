package io.nexodus.shared.identity;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Whether a caller resolved earlier still stands: its user not deleted, its registration key not deleted,
 * expired nor revoked, its device not deleted and its token not expired (the conditions
 * {@link OpaqueTokens} checks at the door). A request is authorised once, when it arrives; a watch stream lives
 * for minutes, so it asks again from time to time ({@code fetch-peers}), as Nexodus cut its streams.
 */
@ApplicationScoped
public class CredentialLiveness {

    @Inject
    Pool db;

    @Inject
    OpaqueTokens opaqueTokens;

    /**
     * For many callers at once, in at most three queries whatever their number (users, registration keys, device
     * tokens): what a replica's open watch streams cost the database stays flat as they grow.
     *
     * @return the callers among {@code callers} whose credential still stands
     */
    public Uni<Set<Caller>> standing(Collection<Caller> callers) {
        List<UUID> users = callers.stream().filter(c -> c.kind() == Caller.Kind.USER_TOKEN).map(Caller::userId).distinct().toList();
        List<byte[]> keys = hashes(callers, Caller.Kind.REG_KEY);
        List<byte[]> devices = hashes(callers, Caller.Kind.DEVICE_TOKEN);
        Uni<Set<UUID>> liveUsers = users.isEmpty() ? Uni.createFrom().item(Set.of())
                : db.preparedQuery("SELECT id FROM users WHERE id = ANY($1) AND deleted_at IS NULL")
                        .execute(Tuple.of(users.toArray(UUID[]::new))).map(rows -> {
                            Set<UUID> live = new HashSet<>();
                            rows.forEach(row -> live.add(row.getUUID(0)));
                            return live;
                        });
        return Uni.combine().all().unis(liveUsers, opaqueTokens.stillStanding(true, keys), opaqueTokens.stillStanding(false, devices))
                .with((liveU, liveK, liveD) -> {
                    Set<Caller> standing = new HashSet<>();
                    for (Caller c : callers) {
                        boolean ok = switch (c.kind()) {
                            case USER_TOKEN -> liveU.contains(c.userId());
                            case REG_KEY -> liveK.contains(ByteBuffer.wrap(c.tokenHash()));
                            case DEVICE_TOKEN -> liveD.contains(ByteBuffer.wrap(c.tokenHash()));
                            case SERVICE, SCHEDULE -> true;
                        };
                        if (ok) {
                            standing.add(c);
                        }
                    }
                    return standing;
                });
    }

    private static List<byte[]> hashes(Collection<Caller> callers, Caller.Kind kind) {
        Set<ByteBuffer> seen = new HashSet<>();
        List<byte[]> out = new ArrayList<>();
        for (Caller c : callers) {
            if (c.kind() == kind && seen.add(ByteBuffer.wrap(c.tokenHash()))) {
                out.add(c.tokenHash());
            }
        }
        return out;
    }
}

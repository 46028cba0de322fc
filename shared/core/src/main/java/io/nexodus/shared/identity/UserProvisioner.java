package io.nexodus.shared.identity;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;

/**
 * Finds the local user behind a token's subject, creating it on first contact together with its
 * personal tenant, exactly as Nexodus does: organization, owner membership, default VPC and default
 * security group, all with the user's id (Nexodus's CreateUserIfNotExists, internal/handlers/user.go).
 *
 * <p>A user is its provider's (issuer, subject): equal subjects of two trusted issuers are two users
 * (V5__identity_issuer.sql). Users created before V5 carry no issuer; the primary issuer, the only one
 * trusted then, adopts such a row on its subject's first request.
 *
 * <p>Race-free without a lock: the insert is {@code ON CONFLICT DO NOTHING} on the live (issuer, subject)
 * unique index, so of two concurrent first requests one creates the tenant and the other reads the winner.
 */
@ApplicationScoped
public class UserProvisioner {

    static final String DEFAULT_IPV4_CIDR = "100.64.0.0/10";
    static final String DEFAULT_IPV6_CIDR = "200::/64";

    /** The per-request read of a known user: $1 the issuer, $2 the subject, $3 a verified email or null. */
    public static final String PROFILE_SQL = "SELECT u.id, u.user_name, u.full_name, u.picture, EXISTS (SELECT 1 FROM"
            + " user_identities i WHERE i.kind = 'email' AND i.value = $3 AND i.user_id = u.id) AS email_known"
            + " FROM users u WHERE u.idp_issuer = $1 AND u.idp_id = $2 AND u.deleted_at IS NULL";

    /** A pre-V5 user (no issuer) claimed by the primary issuer: $1 the issuer, $2 the subject. */
    static final String ADOPT_SQL = "UPDATE users SET idp_issuer = $1 WHERE idp_id = $2 AND idp_issuer IS NULL"
            + " AND deleted_at IS NULL RETURNING id";

    /** Nexodus's identity kind for its one provider's subject; other issuers' subjects get a kind each. */
    static final String PRIMARY_IDENTITY_KIND = "keycloak:id";

    @Inject
    Pool pool;

    @Inject
    TrustedIssuers issuers;

    public Uni<UUID> resolve(TokenProfile profile) {
        // Fast path: an existing user whose profile did not change costs one indexed read.
        return pool.preparedQuery(PROFILE_SQL)
                .execute(Tuple.of(profile.issuer(), profile.subject(), verifiedEmail(profile)))
                .flatMap(rows -> {
                    if (rows.size() == 1) {
                        Row row = rows.iterator().next();
                        UUID id = row.getUUID("id");
                        boolean unchanged = profile.username().equals(row.getString("user_name"))
                                && profile.fullName().equals(row.getString("full_name"))
                                && profile.picture().equals(row.getString("picture"));
                        boolean emailKnown = verifiedEmail(profile) == null || row.getBoolean("email_known");
                        return unchanged && emailKnown ? Uni.createFrom().item(id) : refresh(id, profile);
                    }
                    return pool.withTransaction(conn -> adoptOrCreate(conn, profile));
                });
    }

    private Uni<UUID> refresh(UUID id, TokenProfile profile) {
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE users SET user_name = $2, full_name = $3,"
                        + " picture = $4 WHERE id = $1 AND (user_name, full_name, picture) IS DISTINCT FROM ($2, $3, $4)")
                .execute(Tuple.of(id, profile.username(), profile.fullName(), profile.picture()))
                .flatMap(ignored -> attachEmail(conn, id, profile))
                .replaceWith(id));
    }

    private Uni<UUID> adoptOrCreate(SqlConnection conn, TokenProfile profile) {
        if (!profile.issuer().equals(issuers.primary())) {
            return create(conn, profile);
        }
        return conn.preparedQuery(ADOPT_SQL).execute(Tuple.of(profile.issuer(), profile.subject()))
                // an adopted user's profile is refreshed by its next request's fast path
                .flatMap(adopted -> adopted.size() == 1
                        ? Uni.createFrom().item(adopted.iterator().next().getUUID("id"))
                        : create(conn, profile));
    }

    private Uni<UUID> create(SqlConnection conn, TokenProfile profile) {
        UUID id = UUID.randomUUID();
        return conn.preparedQuery("INSERT INTO users (id, idp_issuer, idp_id, user_name, full_name, picture)"
                        + " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idp_issuer, idp_id) WHERE deleted_at IS NULL"
                        + " DO NOTHING")
                .execute(Tuple.from(List.of(id, profile.issuer(), profile.subject(), profile.username(),
                        profile.fullName(), profile.picture())))
                .flatMap(inserted -> inserted.rowCount() == 1
                        ? createPersonalTenant(conn, id, profile).replaceWith(id)
                        : conn.preparedQuery("SELECT id FROM users WHERE idp_issuer = $1 AND idp_id = $2"
                                        + " AND deleted_at IS NULL")
                                .execute(Tuple.of(profile.issuer(), profile.subject()))
                                .map(rows -> rows.iterator().next().getUUID("id")));
    }

    /** The identity row Nexodus kept: its kind names the issuer unless it is the primary one. */
    private String identityKind(TokenProfile profile) {
        return profile.issuer().equals(issuers.primary()) ? PRIMARY_IDENTITY_KIND : "oidc:" + profile.issuer();
    }

    private Uni<Void> createPersonalTenant(SqlConnection conn, UUID id, TokenProfile profile) {
        return conn.preparedQuery("INSERT INTO user_identities (kind, value, user_id) VALUES ($1, $2, $3)"
                        + " ON CONFLICT DO NOTHING")
                .execute(Tuple.of(identityKind(profile), profile.subject(), id))
                .flatMap(ignored -> insertPersonalOrganization(conn, id, profile.username()))
                .flatMap(ignored -> conn.preparedQuery("INSERT INTO user_organizations (user_id, organization_id, roles)"
                        + " VALUES ($1, $1, ARRAY['owner'])").execute(Tuple.of(id)))
                .flatMap(ignored -> conn.preparedQuery("INSERT INTO vpcs (id, organization_id, description, private_cidr,"
                                + " ipv4_cidr, ipv6_cidr) VALUES ($1, $1, 'default vpc', false, $2, $3)")
                        .execute(Tuple.of(id, DEFAULT_IPV4_CIDR, DEFAULT_IPV6_CIDR)))
                .flatMap(ignored -> conn.preparedQuery("INSERT INTO security_groups (id, organization_id, vpc_id,"
                                + " description) VALUES ($1, $1, $1, 'default vpc security group')")
                        .execute(Tuple.of(id)))
                .flatMap(ignored -> attachEmail(conn, id, profile));
    }

    /**
     * The personal organization is named after the user. Organization names are unique among live
     * organizations; where Nexodus failed the whole sign-up on a clash, the id is appended instead.
     */
    private Uni<RowSet<Row>> insertPersonalOrganization(SqlConnection conn, UUID id, String username) {
        String sql = "INSERT INTO organizations (id, name, description) VALUES ($1, $2, $3)"
                + " ON CONFLICT (name) WHERE deleted_at IS NULL DO NOTHING";
        String description = username + "'s organization";
        return conn.preparedQuery(sql).execute(Tuple.of(id, username, description))
                .flatMap(rows -> rows.rowCount() == 1 ? Uni.createFrom().item(rows)
                        : conn.preparedQuery(sql).execute(Tuple.of(id, username + "-" + id, description)));
    }

    private static String verifiedEmail(TokenProfile profile) {
        return profile.emailVerified() ? profile.email() : null;
    }

    /** A verified email becomes an identity, and invitations sent to it before sign-up find their user. */
    private Uni<Void> attachEmail(SqlConnection conn, UUID id, TokenProfile profile) {
        if (verifiedEmail(profile) == null) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("INSERT INTO user_identities (kind, value, user_id) VALUES ('email', $1, $2)"
                        + " ON CONFLICT DO NOTHING")
                .execute(Tuple.of(profile.email(), id))
                .flatMap(ignored -> conn.preparedQuery("UPDATE invitations SET user_id = $2 WHERE user_id IS NULL"
                        + " AND email = $1 AND deleted_at IS NULL").execute(Tuple.of(profile.email(), id)))
                .replaceWithVoid();
    }
}

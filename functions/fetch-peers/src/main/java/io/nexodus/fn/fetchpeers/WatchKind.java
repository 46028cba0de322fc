package io.nexodus.fn.fetchpeers;

import io.nexodus.shared.device.StoredDevice;
import io.nexodus.shared.flags.FeatureFlags;
import io.nexodus.shared.model.Vpc;
import io.nexodus.shared.store.Signals;
import java.util.UUID;

/**
 * The kinds a watch can follow (Nexodus's internal/handlers/events.go): what rows are in scope, how they are read
 * after a revision, and which signal wakes their readers. Every query reads tombstones too, so that
 * watchers see deletes, and returns the revision and a {@code deleted} flag.
 */
enum WatchKind {

    DEVICE("device", FeatureFlags.DEVICES, "SELECT " + StoredDevice.COLUMNS + " FROM devices d WHERE d.vpc_id = $1 AND d.revision > $2"
            + " %s ORDER BY d.revision LIMIT $3") {
        @Override
        String signal(UUID vpcId) {
            return Signals.devices(vpcId);
        }
    },
    SECURITY_GROUP("security-group", FeatureFlags.SECURITY_GROUPS, "SELECT s.id, s.description, s.vpc_id, s.inbound_rules, s.outbound_rules,"
            + " s.revision, s.deleted_at IS NOT NULL AS deleted FROM security_groups s"
            + " WHERE s.organization_id = (SELECT organization_id FROM vpcs WHERE id = $1) AND s.revision > $2"
            + " %s ORDER BY s.revision LIMIT $3") {
        @Override
        String signal(UUID vpcId) {
            return Signals.securityGroups(vpcId);
        }
    },
    DEVICE_METADATA("device-metadata", FeatureFlags.DEVICES, "SELECT m.device_id, m.key, m.value, m.revision,"
            + " m.deleted_at IS NOT NULL AS deleted FROM device_metadata m JOIN devices d ON d.id = m.device_id"
            + " WHERE d.vpc_id = $1 AND m.revision > $2 %s ORDER BY m.revision LIMIT $3") {
        @Override
        String signal(UUID vpcId) {
            return Signals.metadata(vpcId);
        }
    },
    VPC("vpc", null, "SELECT " + Vpc.COLUMNS + ", v.deleted_at IS NOT NULL AS deleted FROM vpcs v"
            + " WHERE v.organization_id = (SELECT organization_id FROM vpcs WHERE id = $1) AND v.revision > $2"
            + " %s ORDER BY v.revision LIMIT $3") {
        @Override
        String signal(UUID vpcId) {
            return Signals.vpc(vpcId);
        }
    };

    private final String wireName;
    /** The feature flag that must be on to watch this kind (Nexodus's internal/handlers/events.go), or null */
    private final String flag;
    private final String sql;

    WatchKind(String wireName, String flag, String sql) {
        this.wireName = wireName;
        this.flag = flag;
        this.sql = sql;
    }

    /** @throws io.nexodus.shared.error.ApiException 405 when this kind's feature flag is off */
    void requireEnabled(FeatureFlags flags) {
        if (flag != null) {
            flags.require(flag);
        }
    }

    String wireName() {
        return wireName;
    }

    /** @param extraFilter more conditions ({@code AND …}) using parameters from $4 on */
    String sql(String extraFilter) {
        return sql.formatted(extraFilter);
    }

    abstract String signal(UUID vpcId);

    static WatchKind of(String wireName) {
        for (WatchKind kind : values()) {
            if (kind.wireName.equals(wireName)) {
                return kind;
            }
        }
        return null;
    }
}

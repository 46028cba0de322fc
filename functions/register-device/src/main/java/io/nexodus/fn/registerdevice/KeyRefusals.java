package io.nexodus.fn.registerdevice;

import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.error.ApiException;
import io.nexodus.shared.error.ErrorBody;
import io.vertx.pgclient.PgException;

/**
 * Why a registration key registers no more devices, in one wording whether the check before allocation
 * saw it or the insert's count (the {@code devices_count_reg_key_use} trigger, V4) caught a race: a
 * single-use key answers as in Nexodus; a key with a usage limit names it; a key revoked meanwhile answers
 * as revoked keys do at the door.
 */
final class KeyRefusals {

    /** The trigger's SQLSTATEs: no use left; revoked. */
    private static final String NO_USE_LEFT = "NXK01";
    private static final String REVOKED = "NXK02";

    private KeyRefusals() {
    }

    static ApiException exhausted(Registration reg) {
        if (reg.singleUseKey()) {
            return ApiErrors.validation("single use reg key exhausted", null);
        }
        return new ApiException(400, new ErrorBody("reg key exhausted", null,
                "usage limit of " + reg.usageLimit() + " reached", null, null, null));
    }

    static boolean isRefusedByTheCount(Throwable failure) {
        return failure instanceof PgException pg && (NO_USE_LEFT.equals(pg.getSqlState()) || REVOKED.equals(pg.getSqlState()));
    }

    /** @param failure one for which {@link #isRefusedByTheCount} holds */
    static ApiException fromTheCount(Throwable failure, Registration reg) {
        return REVOKED.equals(((PgException) failure).getSqlState()) ? ApiErrors.unauthorized("reg key revoked")
                : exhausted(reg);
    }
}

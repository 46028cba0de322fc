package io.nexodus.ipam;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.nexodus.shared.database.DatabaseFailures;

/**
 * The failures a caller can act on, as gRPC statuses. Codes are more precise than go-ipam's mostly
 * INVALID_ARGUMENT, but every message keeps go-ipam's token (NotFound, AlreadyAllocatedError,
 * NoIPAvailableError, NamespaceDoesNotExist, OptimisticLockError) so string-matching clients work.
 */
public final class IpamFailure {

    private IpamFailure() {
    }

    public static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    /** GetPrefix / ReleaseChildPrefix / DeletePrefix wording of go-ipam. */
    public static StatusRuntimeException prefixNotFound(String cidr) {
        return Status.NOT_FOUND.withDescription("NotFound: prefix:\"" + cidr + "\" not found").asRuntimeException();
    }

    public static StatusRuntimeException namespaceMissing(String namespace) {
        return Status.NOT_FOUND.withDescription("NamespaceDoesNotExist: namespace \"" + namespace + "\" does not exist")
                .asRuntimeException();
    }

    public static StatusRuntimeException addressNotAllocated(String ip, String cidr) {
        return Status.NOT_FOUND.withDescription("NotFound: unable to release ip:" + ip
                + " because it is not allocated in prefix:" + cidr).asRuntimeException();
    }

    public static StatusRuntimeException alreadyAllocated(String ip, String cidr) {
        return Status.ALREADY_EXISTS.withDescription("AlreadyAllocatedError: given ip:" + ip
                + " is already allocated in prefix:" + cidr).asRuntimeException();
    }

    public static StatusRuntimeException noIpAvailable(String cidr) {
        return Status.RESOURCE_EXHAUSTED.withDescription("NoIPAvailableError: no more ips in prefix: " + cidr
                + " left").asRuntimeException();
    }

    public static StatusRuntimeException noChildPrefixAvailable(String cidr, int length) {
        return Status.RESOURCE_EXHAUSTED.withDescription("NoPrefixAvailableError: no prefix of length " + length
                + " left in " + cidr).asRuntimeException();
    }

    public static StatusRuntimeException prefixExists(String cidr) {
        return Status.ALREADY_EXISTS.withDescription("prefix " + cidr + " already exists, it overlaps " + cidr)
                .asRuntimeException();
    }

    public static StatusRuntimeException overlaps(String cidr, String existing) {
        return Status.INVALID_ARGUMENT.withDescription(cidr + " overlaps " + existing).asRuntimeException();
    }

    public static StatusRuntimeException precondition(String message) {
        return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException contention(String cidr) {
        return Status.ABORTED.withDescription("OptimisticLockError: too many concurrent acquirers in prefix " + cidr
                + ", try again").asRuntimeException();
    }

    /** Anything unplanned (the database is down, a bug): INTERNAL with the reason, never a stack trace. */
    public static Throwable toStatus(Throwable failure) {
        if (failure instanceof StatusRuntimeException) {
            return failure;
        }
        // the database is away (restarting, failing over): nothing was decided, so UNAVAILABLE, which clients
        // retry; the same rule the functions answer 503 by
        if (DatabaseFailures.isUnavailable(failure)) {
            return Status.UNAVAILABLE.withDescription("storage unavailable: " + failure.getMessage()).asRuntimeException();
        }
        return Status.INTERNAL.withDescription(failure.getClass().getSimpleName() + ": " + failure.getMessage())
                .withCause(failure).asRuntimeException();
    }

    /** 23503: a row still references the one being deleted (a prefix with addresses). */
    public static boolean isForeignKeyViolation(Throwable failure) {
        return failure instanceof io.vertx.pgclient.PgException e && "23503".equals(e.getSqlState());
    }
}

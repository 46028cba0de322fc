package io.nexodus.shared.ipam;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

/** Reads IPAM failures by status code (our server) and, for go-ipam's INVALID_ARGUMENT catch-all, by message token. */
public final class IpamErrors {

    private IpamErrors() {
    }

    /** The gRPC status of a failure, UNKNOWN when it is not a gRPC failure. */
    public static Status status(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException e) {
                return e.getStatus();
            }
            if (t instanceof StatusException e) {
                return e.getStatus();
            }
        }
        return Status.UNKNOWN.withCause(failure);
    }

    public static Status.Code code(Throwable failure) {
        return status(failure).getCode();
    }

    /** Worth another try: the backend was unreachable or too slow, nothing was decided. */
    public static boolean isTransient(Throwable failure) {
        Status.Code code = code(failure);
        // the connection to the backend went away mid-call (the client reports UNKNOWN "channel closed")
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
                || code == Status.Code.UNKNOWN && messageHas(failure, "channel closed");
    }

    /** A decided answer (not found, taken, exhausted, invalid): repeating the call gives the same one. */
    public static boolean isPermanent(Throwable failure) {
        Status.Code code = code(failure);
        return !isTransient(failure) && code != Status.Code.UNKNOWN && code != Status.Code.INTERNAL
                && code != Status.Code.CANCELLED;
    }

    public static boolean isNotFound(Throwable failure) {
        return code(failure) == Status.Code.NOT_FOUND || messageHas(failure, "NotFound")
                || messageHas(failure, "not found");
    }

    /** The namespace is not there (ours: NOT_FOUND; go-ipam: INVALID_ARGUMENT naming NamespaceDoesNotExist). */
    public static boolean isMissingNamespace(Throwable failure) {
        return messageHas(failure, "NamespaceDoesNotExist") || code(failure) == Status.Code.NOT_FOUND;
    }

    /** The namespace or the prefix the call names is not there (yet): create them and ask again. */
    public static boolean isMissing(Throwable failure) {
        return isNotFound(failure) || isMissingNamespace(failure);
    }

    public static boolean isAlreadyAllocated(Throwable failure) {
        return code(failure) == Status.Code.ALREADY_EXISTS || messageHas(failure, "AlreadyAllocatedError");
    }

    public static boolean isExhausted(Throwable failure) {
        return code(failure) == Status.Code.RESOURCE_EXHAUSTED || messageHas(failure, "NoIPAvailableError");
    }

    /** A CreatePrefix failure that may mean "that very prefix is already there" (ours or go-ipam's wording). */
    static boolean mayBeExistingPrefix(Throwable failure) {
        Status.Code code = code(failure);
        return code == Status.Code.ALREADY_EXISTS || code == Status.Code.INVALID_ARGUMENT;
    }

    private static boolean messageHas(Throwable failure, String token) {
        String description = status(failure).getDescription();
        return description != null && description.contains(token);
    }
}

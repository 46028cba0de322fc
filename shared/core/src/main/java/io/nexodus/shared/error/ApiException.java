package io.nexodus.shared.error;

/**
 * An error with meaning for the caller: an HTTP status and the Nexodus error body. Thrown (or used to
 * fail a {@code Uni}) by function logic; every binding (REST, Funqy HTTP, CloudEvents) turns it into
 * the same status and JSON. No stack trace ever reaches a caller.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final ErrorBody body;

    public ApiException(int status, ErrorBody body) {
        super(body.error() + (body.field() != null ? " (" + body.field() + ")" : ""), null, false, false);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public ErrorBody body() {
        return body;
    }
}

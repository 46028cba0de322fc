package io.nexodus.shared.error;

/** Factories for the errors a caller can meet, with Nexodus's wording. */
public final class ApiErrors {

    private ApiErrors() {
    }

    /** 400 {@code {"error":"field not present","field":…}}. */
    public static ApiException fieldNotPresent(String field) {
        return validation("field not present", field);
    }

    /** 400 {@code {"error":"invalid data in field","field":…}} or another message naming the field. */
    public static ApiException validation(String error, String field) {
        return new ApiException(400, new ErrorBody(error, field, null, null, null, null));
    }

    /** 400 with a field and a reason saying what is wrong with it. */
    public static ApiException invalidField(String field, String reason) {
        return new ApiException(400, new ErrorBody("invalid data in field", field, reason, null, null, null));
    }

    /** 400 {@code {"error":"path parameter invalid","field":…}}. */
    public static ApiException badPathParameter(String field) {
        return validation("path parameter invalid", field);
    }

    /** 422 for a semantically invalid field (security-group rules). */
    public static ApiException unprocessable(String error, String field) {
        return new ApiException(422, new ErrorBody(error, field, null, null, null, null));
    }

    /** 404 {@code {"error":"not found","resource":…}}: also what a caller from another tenant sees. */
    public static ApiException notFound(String resource) {
        return new ApiException(404, new ErrorBody("not found", null, null, resource, null, null));
    }

    /** 409 {@code {"error":"resource already exists","id":…}} with the id of the existing resource. */
    public static ApiException conflict(Object existingId) {
        return new ApiException(409, new ErrorBody("resource already exists", null, null, null,
                existingId == null ? null : existingId.toString(), null));
    }

    /** 400 {@code {"error":"operation not allowed","reason":…}} (Nexodus uses 400 for these refusals). */
    public static ApiException notAllowed(String reason) {
        return new ApiException(400, new ErrorBody("operation not allowed", null, reason, null, null, null));
    }

    /**
     * 405 {@code {"error":"operation not allowed","reason":"<flag> support is disabled"}}: the route's feature
     * flag is off (Nexodus's {@code FlagCheck}, internal/handlers/api.go).
     */
    public static ApiException featureDisabled(String flag) {
        return new ApiException(405, new ErrorBody("operation not allowed", null, flag + " support is disabled",
                null, null, null));
    }

    /** 401 with a JSON body (Nexodus answered 401 with an empty body). */
    public static ApiException unauthorized(String reason) {
        return new ApiException(401, new ErrorBody("unauthorized", null, reason, null, null, null));
    }

    /** 403: the caller can see the resource but its role does not allow the action. */
    public static ApiException forbidden(String reason) {
        return new ApiException(403, new ErrorBody("forbidden", null, reason, null, null, null));
    }

    /**
     * 403 {@code {"error":"forbidden","field":"scope","reason":"missing scope <scope>"}}: an identity-provider
     * token without the scope the route needs (Nexodus's internal/routers/token.rego).
     */
    public static ApiException missingScope(String scope) {
        return new ApiException(403, new ErrorBody("forbidden", "scope", "missing scope " + scope, null, null, null));
    }

    /** 413 for a body larger than the configured limit. */
    public static ApiException tooLarge() {
        return new ApiException(413, ErrorBody.of("request body too large"));
    }

    /** 503 when a backend (database, IPAM) cannot be reached; the caller may retry. */
    public static ApiException unavailable(String reason) {
        return new ApiException(503, new ErrorBody("service unavailable", null, reason, null, null, null));
    }

    /**
     * 429 {@code {"error":"too many requests","field":…,"reason":…}}: a per-caller cap (open watch streams,
     * pending invitations), not a rate: waiting alone may not lift it, the reason says what does.
     */
    public static ApiException tooMany(String field, String reason) {
        return new ApiException(429, new ErrorBody("too many requests", field, reason, null, null, null));
    }

    /** 500 with a trace id that is also logged, never a stack trace. */
    public static ApiException internal(String traceId) {
        return new ApiException(500, new ErrorBody("internal server error", null, null, null, null, traceId));
    }
}

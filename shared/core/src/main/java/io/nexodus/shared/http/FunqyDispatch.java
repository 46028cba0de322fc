package io.nexodus.shared.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.error.ApiException;
import io.quarkus.funqy.runtime.FunctionRecorder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;

/**
 * What Funqy will run for a request, decided by the rule its Knative Events binding applies
 * ({@code io.quarkus.funqy.runtime.bindings.knative.events.VertxRequestHandler#handle}, Quarkus 3.34), so that
 * what is authorized is exactly what is dispatched:
 * <ul>
 * <li>a {@code ce-id} header makes the request a binary-mode CloudEvent, dispatched by its {@code ce-type}
 * header, whatever its content type;</li>
 * <li>else a {@code Content-Type} starting with {@code application/cloudevents+json} makes it a structured-mode
 * CloudEvent, dispatched by the body's {@code type} member;</li>
 * <li>anything else is plain Funqy HTTP, dispatched by path.</li>
 * </ul>
 * Funqy serves {@code /} and {@code /<function>}, and on each of them a CloudEvent is dispatched by type,
 * not by path. A request that reads one way to a person and another way to Funqy is refused with 400 before
 * anything else looks at it: a binary event without {@code ce-specversion} or {@code ce-type}, one that also
 * claims a CloudEvent content type, a structured event with {@code ce-*} headers beside it, {@code ce-*}
 * headers on a request Funqy dispatches by path, or a structured body whose {@code type} is not one plain
 * string (duplicate members included: Jackson would take the last).
 */
public record FunqyDispatch(Mode mode, String ceType) {

    public enum Mode {
        /** plain Funqy HTTP: the function named by the path */
        PLAIN,
        /** binary-mode CloudEvent: the function mapped to the {@code ce-type} header */
        BINARY,
        /** structured-mode CloudEvent: the function mapped to the body's {@code type} */
        STRUCTURED
    }

    static final String CONTEXT_KEY = FunqyDispatch.class.getName();

    private static final String STRUCTURED_TYPE = "application/cloudevents+json";
    private static final String[] CONTEXT_HEADERS = { "ce-specversion", "ce-type", "ce-source" };

    private static final ObjectReader STRICT_JSON = new ObjectMapper().reader()
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public boolean isCloudEvent() {
        return mode != Mode.PLAIN;
    }

    /**
     * @return how Funqy dispatches this request, or null when the path is not one Funqy serves (a REST route)
     * @throws ApiException 400 naming the header or member when the request is ambiguous
     */
    public static FunqyDispatch of(RoutingContext ctx) {
        FunqyDispatch known = ctx.get(CONTEXT_KEY);
        if (known != null || !isFunqyPath(ctx.normalizedPath())) {
            return known;
        }
        FunqyDispatch dispatch = decide(ctx.request().headers(), ctx.body() == null ? null : ctx.body().buffer());
        ctx.put(CONTEXT_KEY, dispatch);
        return dispatch;
    }

    /** @return whether Funqy's route serves this path: {@code /} or {@code /<function>}, a trailing slash allowed */
    public static boolean isFunqyPath(String path) {
        if (FunctionRecorder.registry == null || path == null) {
            return false;
        }
        String name = path;
        while (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        return name.isEmpty() || FunctionRecorder.registry.matchInvoker(name.substring(1)) != null;
    }

    static FunqyDispatch decide(MultiMap headers, Buffer body) {
        String contentType = headers.get("Content-Type");
        boolean cloudEventContent = contentType != null && contentType.regionMatches(true, 0, "application/cloudevents", 0, 23);
        if (headers.contains("ce-id")) {
            if (cloudEventContent) {
                throw ApiErrors.invalidField("Content-Type",
                        "a CloudEvent is binary (ce-* headers) or structured (" + STRUCTURED_TYPE + "), not both");
            }
            requireOne(headers, "ce-specversion");
            return new FunqyDispatch(Mode.BINARY, requireOne(headers, "ce-type"));
        }
        if (contentType != null && contentType.startsWith(STRUCTURED_TYPE)) {
            for (String header : CONTEXT_HEADERS) {
                if (headers.contains(header)) {
                    throw ApiErrors.invalidField(header,
                            "a structured-mode CloudEvent carries its attributes in its body, not in ce-* headers");
                }
            }
            return new FunqyDispatch(Mode.STRUCTURED, structuredType(body));
        }
        for (String header : CONTEXT_HEADERS) {
            if (headers.contains(header)) {
                throw ApiErrors.invalidField("ce-id", "a binary-mode CloudEvent needs ce-id (without it, " + header
                        + " is ignored and the path decides what runs)");
            }
        }
        return new FunqyDispatch(Mode.PLAIN, null);
    }

    private static String requireOne(MultiMap headers, String name) {
        var values = headers.getAll(name);
        if (values.isEmpty() || values.get(0).isBlank()) {
            throw ApiErrors.fieldNotPresent(name);
        }
        if (values.size() > 1) {
            throw ApiErrors.invalidField(name, "given more than once");
        }
        return values.get(0);
    }

    private static String structuredType(Buffer body) {
        if (body == null || body.length() == 0) {
            throw ApiErrors.fieldNotPresent("type");
        }
        JsonNode event;
        try {
            event = STRICT_JSON.readTree(body.getBytes());
        } catch (IOException e) {
            throw ApiErrors.validation("request json is invalid", null);
        }
        JsonNode type = event == null ? null : event.get("type");
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            throw ApiErrors.invalidField("type", "a structured-mode CloudEvent needs its type as a string");
        }
        return type.asText();
    }
}

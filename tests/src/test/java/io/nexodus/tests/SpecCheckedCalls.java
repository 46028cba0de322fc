package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The contract test's calls: each one made on a route of the route table, its request and its answer
 * validated against Nexodus's description ({@link NexodusSpec}), and the outcome recorded per route:
 * which statuses were validated, and every message of the validator (a difference) with the call that
 * caused it. Differences are collected, not thrown, so one run lists them all.
 */
final class SpecCheckedCalls {

    /** One call of a route ({@code "GET /api/devices/{id}"}): its caller, path parameters, query and body. */
    static final class Call {
        final String route;
        final String method;
        final String template;
        private String bearer;
        private final Map<String, String> pathParams = new LinkedHashMap<>();
        private final Map<String, String> query = new LinkedHashMap<>();
        private String body;

        private Call(String route) {
            this.route = route;
            this.method = route.substring(0, route.indexOf(' '));
            this.template = route.substring(route.indexOf(' ') + 1);
        }

        Call as(String bearer) {
            this.bearer = bearer;
            return this;
        }

        Call at(String param, String value) {
            pathParams.put(param, value);
            return this;
        }

        Call query(String name, String value) {
            query.put(name, value);
            return this;
        }

        Call body(String json) {
            this.body = json;
            return this;
        }

        String path() {
            String path = template;
            for (Map.Entry<String, String> param : pathParams.entrySet()) {
                path = path.replace("{" + param.getKey() + "}", param.getValue());
            }
            if (path.contains("{")) {
                throw new IllegalArgumentException(route + ": a path parameter has no value: " + path);
            }
            return path;
        }
    }

    /** What the run saw of one route. */
    static final class Seen {
        final TreeSet<Integer> statuses = new TreeSet<>();
        int requests;
        int responses;

        boolean success() {
            return statuses.stream().anyMatch(s -> s < 300);
        }

        boolean successAndError() {
            return success() && statuses.stream().anyMatch(s -> s >= 400);
        }
    }

    private final NexodusSpec api;
    private final NexodusSpec ops;
    private final URL base;
    final Map<String, Seen> seen = new TreeMap<>();
    final List<String> differences = new ArrayList<>();
    /** Time spent validating, apart from the calls themselves. */
    long validatingNanos;

    /**
     * @param api the public description; {@code ops} the private one (routes under {@code /private/})
     * @param base the application's URL, for watch streams, which are read as they arrive
     */
    SpecCheckedCalls(NexodusSpec api, NexodusSpec ops, URL base) {
        this.api = api;
        this.ops = ops;
        this.base = base;
    }

    static Call call(String route) {
        return new Call(route);
    }

    /** Makes the call, expects {@code status} (so each step does what it means to), validates both ways. */
    Response send(Call call, int status) {
        RequestSpecification request = given();
        if (call.bearer != null) {
            request.header("Authorization", call.bearer);
        }
        call.query.forEach(request::queryParam);
        if (call.body != null) {
            request.contentType("application/json").body(call.body);
        }
        Response response = request.request(call.method, call.path());
        assertEquals(status, response.statusCode(), call.route + " " + call.path() + ": " + response.asString());
        validateRequest(call);
        SimpleResponse.Builder answer = new SimpleResponse.Builder(response.statusCode());
        if (response.contentType() != null && !response.contentType().isEmpty()) {
            answer.withContentType(response.contentType());
        }
        String text = response.asString();
        if (!text.isEmpty()) {
            answer.withBody(text);
        }
        validateResponse(call, response.statusCode(), answer.build());
        return response;
    }

    /**
     * Opens a watch stream and reads it until the {@code tail} of each kind asked for; its request is
     * validated, and each event as one answer of the route (the description's 200 schema is one
     * {@code WatchEvent}; the stream is newline-delimited events, Nexodus's internal/handlers/events.go).
     */
    List<JsonObject> watch(Call call, String... kinds) throws Exception {
        List<JsonObject> events = new ArrayList<>();
        java.util.Set<String> waiting = new java.util.HashSet<>(List.of(kinds));
        try (WatchClient stream = new WatchClient(base, call.path(), call.bearer, call.body)) {
            assertEquals(200, stream.status, call.route + " opens a stream");
            validateRequest(call);
            while (!waiting.isEmpty()) {
                JsonObject event = stream.next(10);
                if ("eof".equals(event.getString("type"))) {
                    throw new AssertionError(call.route + ": the stream ended before the tail of " + waiting + ": " + events);
                }
                events.add(event);
                validateResponse(call, 200, new SimpleResponse.Builder(200).withContentType(stream.contentType)
                        .withBody(event.encode()).build());
                if ("tail".equals(event.getString("type"))) {
                    waiting.remove(event.getString("kind"));
                }
            }
        }
        return events;
    }

    private NexodusSpec specOf(Call call) {
        return call.template.startsWith("/private/") ? ops : api;
    }

    private void validateRequest(Call call) {
        SimpleRequest.Builder request = new SimpleRequest.Builder(call.method, call.path());
        if (call.bearer != null) {
            request.withAuthorization(call.bearer);
        }
        call.query.forEach(request::withQueryParam);
        if (call.body != null) {
            request.withContentType("application/json").withBody(call.body);
        }
        long start = System.nanoTime();
        ValidationReport report = specOf(call).validator.validateRequest(request.build());
        validatingNanos += System.nanoTime() - start;
        record(call, "request", report);
        seen.computeIfAbsent(call.route, r -> new Seen()).requests++;
    }

    private void validateResponse(Call call, int status, SimpleResponse response) {
        long start = System.nanoTime();
        ValidationReport report = specOf(call).validator.validateResponse(call.path(),
                Request.Method.valueOf(call.method), response);
        validatingNanos += System.nanoTime() - start;
        record(call, status + " answer", report);
        Seen route = seen.computeIfAbsent(call.route, r -> new Seen());
        route.responses++;
        route.statuses.add(status);
    }

    private void record(Call call, String what, ValidationReport report) {
        for (ValidationReport.Message message : report.getMessages()) {
            if (message.getLevel() == ValidationReport.Level.ERROR) {
                differences.add(call.route + " " + what + ": [" + message.getKey() + "] " + message.getMessage()
                        + (call.body == null || !what.equals("request") ? "" : " (body " + call.body + ")"));
            }
        }
    }
}

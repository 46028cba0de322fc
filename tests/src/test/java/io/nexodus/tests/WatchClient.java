package io.nexodus.tests;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A watch stream as nexd reads it: newline-delimited JSON events, read as they arrive. */
final class WatchClient implements AutoCloseable {

    private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    final int status;
    final String contentType;
    private volatile java.io.InputStream body;

    /** @param base the application's URL as {@code @TestHTTPResource("/")} gives it (with or without a last slash) */
    WatchClient(java.net.URL base, String path, String bearer, String watchesJson) throws Exception {
        this(base.toString(), path, bearer, watchesJson);
    }

    WatchClient(String baseUrl, String path, String bearer, String watchesJson) throws Exception {
        this(baseUrl, path, bearer, watchesJson, HttpClient.newHttpClient());
    }

    /** @param client the client to stream with (one that trusts a test certificate, say) */
    WatchClient(String baseUrl, String path, String bearer, String watchesJson, HttpClient client) throws Exception {
        baseUrl = baseUrl.replaceFirst("/$", "");
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(watchesJson)).timeout(Duration.ofMinutes(5)).build();
        HttpResponse<java.io.InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        status = response.statusCode();
        contentType = response.headers().firstValue("Content-Type").orElse("");
        body = response.body();
        reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!line.isBlank()) {
                        events.add(new JsonObject(line));
                    }
                }
                events.add(new JsonObject().put("type", "eof"));
            } catch (Exception e) {
                events.add(new JsonObject().put("type", "eof").put("reason", String.valueOf(e)));
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    JsonObject next(long seconds) throws InterruptedException {
        JsonObject event = events.poll(seconds, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("no watch event within " + seconds + " s");
        }
        return event;
    }

    /** Events up to and including the first {@code tail} of {@code kind}. */
    List<JsonObject> untilTail(String kind) throws InterruptedException {
        List<JsonObject> out = new ArrayList<>();
        while (true) {
            JsonObject event = next(10);
            out.add(event);
            if ("tail".equals(event.getString("type")) && kind.equals(event.getString("kind"))) {
                return out;
            }
            if ("eof".equals(event.getString("type"))) {
                throw new AssertionError("stream ended before tail: " + out);
            }
        }
    }

    /** Nothing more arrives within {@code millis}. */
    void assertQuiet(long millis) throws InterruptedException {
        JsonObject event = events.poll(millis, TimeUnit.MILLISECONDS);
        if (event != null) {
            throw new AssertionError("unexpected watch event: " + event);
        }
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (Exception ignored) {
            // closing a stream that the server may have closed already
        }
        reader.interrupt();
    }
}

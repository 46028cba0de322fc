package io.nexodus.tests;

import java.io.IOException;
import java.util.List;

/**
 * Generates the front door's HAProxy configuration (deploy/base/front-door/haproxy.cfg) from the route
 * table, functions/ROUTES.md: each live route, by method and path, to the Knative Service of the
 * function that owns it; the watch routes to a backend of their own whose timeout outlives a stream;
 * everything else (planned routes, /private/*, Funqy's POST /<name>, CloudEvents' POST /) answered 404
 * by the proxy itself; with CONSOLE_HOST set (components/console), that host's requests to the web console.
 * FrontDoorTest compares the committed file with this output.
 */
final class FrontDoorConfig {

    static final String PATH = "deploy/base/front-door/haproxy.cfg";

    /** The routes that stream (POST, newline-delimited JSON for up to the watch lifetime). */
    static final List<String> WATCH_PATHS = List.of("/api/events", "/api/vpcs/{id}/events");

    static final long MAX_BODY_BYTES = 1_048_576;

    private FrontDoorConfig() {
    }

    static String regex(String path) {
        return "^" + path.replaceAll("\\{[a-z_]+}", "[^/]+") + "$";
    }

    static boolean isWatch(RouteTableTest.Row row) {
        return row.method().equals("POST") && WATCH_PATHS.contains(row.path());
    }

    static boolean isRouted(RouteTableTest.Row row) {
        return row.status().equals("live") && !row.path().startsWith("/private/");
    }

    static String backend(RouteTableTest.Row row) {
        return isWatch(row) ? row.function() + "-watch" : row.function();
    }

    static String generate() throws IOException {
        List<RouteTableTest.Row> rows = RouteTableTest.rows();
        StringBuilder out = new StringBuilder();
        out.append("""
                # GENERATED from functions/ROUTES.md by tests/src/test/java/io/nexodus/tests/FrontDoorConfig.java:
                # do not edit. FrontDoorTest fails when this file and the table differ; regenerate with
                #   mvn -pl tests -am verify -Dtest=FrontDoorTest -Dsurefire.failIfNoSpecifiedTests=false -Dnexodus.regenerate=true
                #
                # Environment: NAMESPACE (the functions' namespace; the Deployment sets it), FRONT_DOOR_TLS_CERT
                # (TLS on: components/front-door-tls), CONSOLE_HOST (the web console's host: components/console),
                # FRONT_DOOR_MAXCONN (connections per replica, below; unset by default), and for tests only FRONT_DOOR_BIND,
                # FRONT_DOOR_TLS_BIND, API_TIMEOUT, WATCH_TIMEOUT.
                # Upstreams are the functions' Knative Services through Kourier's cluster-local gateway:
                # <function>.<namespace>.svc.cluster.local:80 with that Host (Kourier routes by host; never a
                # -private Service, which would bypass the activator and break scale-from-zero).

                global
                    log stdout format raw local0 info
                    # connections per replica: every agent holds one watch stream, so this is how many agents a
                    # replica serves (beyond it, new connections wait unanswered). Unset, haproxy derives it from its
                    # file-descriptor limit (two per connection: ~524,000 under containerd's default of 1,048,576) and
                    # the pod's memory limit is the real cap; a fixed number would have haproxy refuse to start
                    # wherever that limit is below twice it. Sizing: docs/benchmarks.md ("Sizing: what the figures decide")
                .if defined(FRONT_DOOR_MAXCONN)
                    maxconn "${FRONT_DOOR_MAXCONN}"
                .endif

                defaults
                    mode http
                    log global
                    option httplog
                    option dontlognull
                    timeout connect 5s
                    # a request's headers and body must arrive within 10 s (slow clients hold no slot)
                    timeout http-request 10s
                    timeout http-keep-alive 60s
                    # client side: as long as a watch stream may stay quiet (haproxy 2.6 cannot set it per route)
                    timeout client "${WATCH_TIMEOUT-330s}"
                    # server side: ordinary calls (a cold start is 1-2 s); the watch backends override it
                    timeout server "${API_TIMEOUT-60s}"
                    # resolve at run time: a function's Service may not exist yet when the proxy starts
                    # (IPv4 first: a dual-stack answer must not send the door to an address Kourier does not serve)
                    default-server init-addr last,libc,none resolvers cluster resolve-prefer ipv4

                resolvers cluster
                    parse-resolv-conf
                    hold valid 10s

                frontend api
                    bind "${FRONT_DOOR_BIND-:8080}"
                    # TLS, when a certificate is mounted (components/front-door-tls): FRONT_DOOR_TLS_CERT is a PEM
                    # with the certificate chain, its key beside it as <file>.key (a kubernetes.io/tls Secret's
                    # tls.crt and tls.key, mounted under those names)
                .if defined(FRONT_DOOR_TLS_CERT)
                    bind "${FRONT_DOOR_TLS_BIND-:8443}" ssl crt "${FRONT_DOOR_TLS_CERT}" alpn http/1.1
                .endif
                    http-request return status 200 content-type text/plain string ok if { path /healthz }
                .if defined(FRONT_DOOR_TLS_CERT)
                    # with TLS on, plain HTTP serves nothing but the probes: 308 to https (method and body kept)
                    http-request redirect scheme https code 308 unless { ssl_fc }
                .endif
                """);
        out.append("""
                    # no protocol upgrade through the door: after a 101 (h2c, which Quarkus and Java's client
                    # offer) haproxy would tunnel the connection to the first request's backend, and every later
                    # request on it would bypass the routes below (found by FrontDoorTest)
                    http-request del-header Upgrade
                    http-request del-header HTTP2-Settings
                """);
        out.append("    # bodies: the functions take at most 1 MiB (quarkus.http.limits.max-body-size)\n");
        out.append("    http-request deny deny_status 413 if { req.hdr_val(content-length) gt ").append(MAX_BODY_BYTES).append(" }\n");
        out.append("    # then wait for the body (up to a buffer, within timeout http-request) before any function is connected:\n");
        out.append("    # a client sending slowly holds no function's connection (after the size check, which needs no body)\n");
        out.append("    http-request wait-for-body time 10s\n");
        out.append("""
                    # the web console, when deployed (components/console sets CONSOLE_HOST): every request for its host
                    # goes to its pages, whatever the path; the console calls the API at api.<that host>, routed below
                .if defined(CONSOLE_HOST)
                    use_backend console if { req.hdr(host),field(1,:) -i "${CONSOLE_HOST}" }
                .endif
                """);
        out.append("    # the route table, method + path; nothing else is routed (/private/* never: it stays cluster-local)\n");
        for (RouteTableTest.Row row : rows) {
            if (isRouted(row)) {
                out.append("    use_backend ").append(backend(row)).append(" if { method ").append(row.method())
                        .append(" } { path_reg ").append(regex(row.path())).append(" }\n");
            }
        }
        // a browser's CORS preflight (the console at H calls api.H): OPTIONS of any routed path goes to the function
        // owning that path, whose CORS filter answers it before authentication
        out.append("    # CORS preflights of the web console: OPTIONS of a routed path, to a function that owns it\n");
        java.util.Set<String> preflighted = new java.util.LinkedHashSet<>();
        for (RouteTableTest.Row row : rows) {
            if (isRouted(row) && preflighted.add(regex(row.path()))) {
                out.append("    use_backend ").append(backend(row)).append(" if { method OPTIONS } { path_reg ")
                        .append(regex(row.path())).append(" }\n");
            }
        }
        out.append("    default_backend not-routed\n\n");
        out.append("""
                backend not-routed
                    http-request return status 404 content-type application/json string "{\\"error\\":\\"not found\\"}"
                """);
        out.append("""

                backend console
                    # the upstream console image's web server (components/console); resolved at run time like every
                    # server here, so the door starts without it when the component is off
                    server console "console.${NAMESPACE}.svc.cluster.local:3000"
                """);
        rows.stream().filter(FrontDoorConfig::isRouted).map(FrontDoorConfig::backend).distinct().sorted().forEach(backend -> {
            String function = backend.replaceFirst("-watch$", "");
            out.append("\nbackend ").append(backend).append('\n');
            if (backend.endsWith("-watch")) {
                out.append("    # watch streams: the server ends each after nexodus.watch.max-duration (240 s), quiet in between;\n")
                        .append("    # no buffering (haproxy forwards chunks as they come), no short timeout\n")
                        .append("    timeout server \"${WATCH_TIMEOUT-330s}\"\n")
                        .append("    # and no waiting for more: without it haproxy sends a chunk of a response it expects more of with\n")
                        .append("    # MSG_MORE, which Linux holds up to 200 ms, and every event reached every agent that late\n")
                        .append("    option http-no-delay\n");
            }
            out.append("    http-request set-header Host \"").append(function).append(".${NAMESPACE}.svc.cluster.local\"\n")
                    .append("    http-response set-header X-Nexodus-Function ").append(function).append('\n')
                    .append("    server ").append(function).append(" \"").append(function).append(".${NAMESPACE}.svc.cluster.local:80\"\n");
        });
        return out.toString();
    }
}

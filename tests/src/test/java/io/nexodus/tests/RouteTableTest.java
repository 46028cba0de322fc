package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The route table ({@code functions/ROUTES.md}) is the index a newcomer uses to find any route's code;
 * these checks keep it true: one owner per route, every REST route in a function module listed under
 * that function, every listed live route served, and every function module part of the build and of
 * the local all-in-one.
 */
class RouteTableTest {

    public record Row(String method, String path, String function, String status, String code) {
        String key() {
            return method + " " + path;
        }
    }

    private static final Map<Class<? extends Annotation>, String> VERBS = Map.of(GET.class, "GET", POST.class, "POST",
            PUT.class, "PUT", PATCH.class, "PATCH", DELETE.class, "DELETE");

    @Test
    void everyNexodusRouteHasExactlyOneOwner() throws IOException {
        Map<String, Long> counts = rows().stream().collect(Collectors.groupingBy(Row::key, Collectors.counting()));
        counts.forEach((route, n) -> assertEquals(1L, n, route + " is listed " + n + " times"));
        // the core of what nexd calls (docs/upstream.md, "The calls nexd makes") is in the table
        for (String route : List.of("GET /api/users/{id}", "GET /api/reg-keys/{id}", "GET /api/vpcs/{id}",
                "POST /api/devices", "PATCH /api/devices/{id}", "PUT /api/devices/{id}/metadata/{key}",
                "POST /api/events", "POST /device/login/start")) {
            assertTrue(counts.containsKey(route), route + " has no owner");
        }
    }

    @Test
    void theTableMatchesTheRestResourcesOfTheFunctionModules() throws Exception {
        Map<String, String> served = servedRoutes();
        assertTrue(served.size() > 0, "no function REST resource found on the classpath");
        Map<String, Row> live = rows().stream().filter(r -> r.status().equals("live"))
                .collect(Collectors.toMap(Row::key, r -> r));
        assertEquals(new TreeSet<>(live.keySet()), new TreeSet<>(served.keySet()),
                "live routes in ROUTES.md and REST routes in functions/ differ");
        for (Map.Entry<String, String> route : served.entrySet()) {
            Row row = live.get(route.getKey());
            assertEquals(row.function().replace("-", ""), route.getValue(),
                    route.getKey() + " is served by package io.nexodus.fn." + route.getValue()
                            + " but ROUTES.md gives it to " + row.function());
            java.nio.file.Path code = Repo.root().resolve(row.code());
            assertTrue(Files.isRegularFile(code), row.code() + " does not exist");
        }
    }

    @Test
    void everyFunctionModuleIsBuiltAndRunsInTheLocalAllInOne() throws IOException, URISyntaxException {
        Set<String> directories;
        try (Stream<java.nio.file.Path> dirs = Files.list(Repo.root().resolve("functions"))) {
            directories = dirs.filter(d -> Files.isRegularFile(d.resolve("pom.xml")))
                    .map(d -> d.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> modules = matches(Files.readString(Repo.root().resolve("functions/pom.xml")),
                "<module>([^<]+)</module>");
        assertEquals(directories, modules, "functions/pom.xml must list every function directory");
        String local = Files.readString(Repo.root().resolve("deploy/local/pom.xml"));
        Set<String> localDependencies = matches(local, "<artifactId>([^<]+)</artifactId>");
        for (String module : modules) {
            assertTrue(localDependencies.contains(module), "deploy/local/pom.xml does not run function " + module);
        }
        Set<String> owners = rows().stream().map(Row::function).collect(Collectors.toSet());
        for (String module : modules) {
            assertTrue(owners.contains(module), "function " + module + " owns no route in ROUTES.md");
        }
    }

    private static Set<String> matches(String text, String regex) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(m.group(1).trim());
        }
        return out;
    }

    static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Repo.root().resolve("functions/ROUTES.md"))) {
            if (!line.startsWith("| ") || line.startsWith("| method") || line.startsWith("| ---")) {
                continue;
            }
            String[] cells = line.split("\\|", -1);
            rows.add(new Row(cells[1].trim(), cells[2].trim(), cells[3].trim(), cells[4].trim(), cells[5].trim()));
        }
        assertTrue(rows.size() > 20, "ROUTES.md has too few rows to be the route table");
        return rows;
    }

    /** "METHOD /path" of every JAX-RS method under io.nexodus.fn, mapped to its function package. */
    static Map<String, String> servedRoutes() throws Exception {
        Map<String, String> routes = new TreeMap<>();
        java.net.URLClassLoader loader = functionClassLoader();
        for (String className : functionClasses(loader)) {
            Class<?> type = Class.forName(className, false, loader);
            String function = className.split("\\.")[3];
            for (io.nexodus.shared.http.StreamRoute stream : type.getAnnotationsByType(io.nexodus.shared.http.StreamRoute.class)) {
                String previous = routes.put(stream.method() + " " + stream.path(), function);
                if (previous != null) {
                    fail(stream.method() + " " + stream.path() + " is bound twice (" + previous + ", " + function + ")");
                }
            }
            Path base = type.getAnnotation(Path.class);
            if (base == null) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                for (Map.Entry<Class<? extends Annotation>, String> verb : VERBS.entrySet()) {
                    if (method.isAnnotationPresent(verb.getKey())) {
                        Path sub = method.getAnnotation(Path.class);
                        String path = base.value() + (sub == null ? "" : sub.value());
                        String previous = routes.put(verb.getValue() + " " + path, function);
                        if (previous != null) {
                            fail(verb.getValue() + " " + path + " is bound twice (" + previous + ", " + function + ")");
                        }
                    }
                }
            }
        }
        return routes;
    }

    /**
     * The compiled classes of every function module of this build ({@code functions/<name>/target/classes}),
     * read from disk rather than from the test class path, which Quarkus tests in the same JVM rewire.
     */
    private static java.net.URLClassLoader functionClassLoader() throws IOException {
        List<URL> urls = new ArrayList<>();
        try (Stream<java.nio.file.Path> modules = Files.list(Repo.root().resolve("functions"))) {
            for (java.nio.file.Path module : modules.toList()) {
                java.nio.file.Path classes = module.resolve("target/classes");
                if (Files.isDirectory(classes)) {
                    urls.add(classes.toUri().toURL());
                }
            }
        }
        return new java.net.URLClassLoader(urls.toArray(URL[]::new), RouteTableTest.class.getClassLoader());
    }

    private static List<String> functionClasses(java.net.URLClassLoader loader) throws IOException, URISyntaxException {
        List<String> names = new ArrayList<>();
        for (URL url : loader.getURLs()) {
            java.nio.file.Path classes = java.nio.file.Path.of(url.toURI());
            try (Stream<java.nio.file.Path> files = Files.walk(classes)) {
                files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$"))
                        .map(f -> classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", ""))
                        .filter(n -> n.startsWith("io.nexodus.fn."))
                        .forEach(names::add);
            }
        }
        return names;
    }
}

package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.shared.events.EventType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/events.md against the code, both ways: its outbound table lists exactly {@link EventType}'s types,
 * each of which some function really records; its inbound table lists exactly the {@code @CloudEventMapping}s
 * of the function modules, with the module, Funqy name and reply type each really has.
 */
class EventCatalogueTest {

    private static final Pattern MAPPING = Pattern.compile(
            // another annotation (the function's scope) may stand between the two
            "@Funq\\(\"([^\"]+)\"\\)\\s*(?:@RequiresScope\\(\"[^\"]*\"\\)\\s*)?@CloudEventMapping\\(\\s*trigger\\s*=\\s*\"([^\"]+)\",\\s*responseType\\s*=\\s*\"([^\"]+)\"\\)");

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z][^`]*)` \\|(.*)$");

    @Test
    void theOutboundTableListsExactlyTheTypesTheCodeEmits() {
        Set<String> documented = rows(section("## Outbound", "## Audit trail")).stream().map(r -> r[0])
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> code = Arrays.stream(EventType.values()).map(EventType::type)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(code, documented, "docs/events.md outbound table vs shared.events.EventType");
        String sources = mainSources();
        for (EventType type : EventType.values()) {
            assertTrue(sources.contains("EventType." + type.name()), type + " is in the catalogue but nothing records it");
        }
    }

    @Test
    void theInboundTableListsExactlyTheMappingsOfTheFunctions() {
        Set<String> documented = rows(section("## Inbound", "### Delivered once")).stream()
                .map(r -> r[0] + " " + String.join(" ", cells(r[1])))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> code = new TreeSet<>();
        try (Stream<Path> modules = Files.list(Repo.root().resolve("functions"))) {
            for (Path module : modules.filter(Files::isDirectory).toList()) {
                for (Path file : javaFiles(module.resolve("src/main/java"))) {
                    Matcher m = MAPPING.matcher(read(file));
                    while (m.find()) {
                        code.add(m.group(2) + " " + module.getFileName() + " " + m.group(1) + " " + m.group(3));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertEquals(code, documented, "docs/events.md inbound table (type, module, Funqy name, reply) vs @CloudEventMapping");
    }

    @Test
    void noOutboundTypeIsAnInboundTrigger() {
        // the Broker carries both: a fact that matched an operation's Trigger would start that operation
        Set<String> inbound = rows(section("## Inbound", "### Delivered once")).stream().map(r -> r[0])
                .collect(Collectors.toSet());
        for (EventType type : EventType.values()) {
            assertTrue(!inbound.contains(type.type()), type.type() + " is also an inbound type");
        }
    }

    /** The cells after the first, backticks dropped. */
    private static List<String> cells(String rest) {
        List<String> cells = new ArrayList<>();
        for (String cell : rest.split("\\|")) {
            if (!cell.isBlank()) {
                cells.add(cell.trim().replace("`", ""));
            }
        }
        return cells;
    }

    private static List<String[]> rows(String section) {
        List<String[]> rows = new ArrayList<>();
        for (String line : section.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches() && (m.group(1).startsWith("io.") || m.group(1).startsWith("dev."))) {
                rows.add(new String[] {m.group(1), m.group(2)});
            }
        }
        return rows;
    }

    private static String section(String from, String to) {
        String doc = read(Repo.root().resolve("docs/events.md"));
        int start = doc.indexOf(from);
        int end = doc.indexOf(to, start);
        assertTrue(start >= 0 && end > start, "docs/events.md has sections " + from + " and " + to);
        return doc.substring(start, end);
    }

    private static String mainSources() {
        StringBuilder all = new StringBuilder();
        for (String root : List.of("functions", "shared")) {
            for (Path file : javaFiles(Repo.root().resolve(root))) {
                if (file.toString().contains("/src/main/") && !file.endsWith("EventType.java")) {
                    all.append(read(file));
                }
            }
        }
        return all.toString();
    }

    private static List<Path> javaFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

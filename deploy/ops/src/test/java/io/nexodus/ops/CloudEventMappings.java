package io.nexodus.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CloudEvent types the code declares: every {@code @CloudEventMapping(trigger=..., responseType=...)}
 * in functions/<module>/src/main/java, read from the source (this module does not depend on the
 * functions). The count of annotations found must equal the count parsed, so a form the pattern does
 * not understand fails loudly instead of being skipped.
 */
final class CloudEventMappings {

    record Mapping(String function, String trigger, String responseType) {
    }

    private static final Pattern MAPPING = Pattern.compile("@CloudEventMapping\\(([^)]*)\\)");
    private static final Pattern TRIGGER = Pattern.compile("trigger\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern RESPONSE = Pattern.compile("responseType\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern FUNQ = Pattern.compile("@Funq\\s*(?:\\(\\s*(?:value\\s*=\\s*)?\"([^\"]*)\"\\s*\\))?[\\s\\S]*?\\s(\\w+)\\s*\\(");

    private CloudEventMappings() {
    }

    static List<Mapping> all() {
        List<Mapping> out = new ArrayList<>();
        for (String function : FunctionModules.names()) {
            for (String source : sources(function)) {
                Matcher m = MAPPING.matcher(source);
                while (m.find()) {
                    Matcher trigger = TRIGGER.matcher(m.group(1));
                    Matcher response = RESPONSE.matcher(m.group(1));
                    if (!trigger.find()) {
                        throw new AssertionError(function + ": a @CloudEventMapping without trigger= : " + m.group());
                    }
                    out.add(new Mapping(function, trigger.group(1), response.find() ? response.group(1) : null));
                }
            }
        }
        return out;
    }

    /** Funqy's default reply type for a function without responseType: {@code <funq name>.output}. */
    static List<String> defaultReplyTypes() {
        List<String> out = new ArrayList<>();
        for (String function : FunctionModules.names()) {
            for (String source : sources(function)) {
                Matcher m = FUNQ.matcher(source);
                while (m.find()) {
                    String name = m.group(1) != null && !m.group(1).isEmpty() ? m.group(1) : m.group(2);
                    out.add(name + ".output");
                }
            }
        }
        return out;
    }

    private static List<String> sources(String function) {
        Path dir = Repo.path("functions/" + function + "/src/main/java");
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many times the annotation is written in the function sources (the parse must find them all). */
    static long written() {
        return FunctionModules.names().stream().flatMap(f -> sources(f).stream())
                .mapToLong(s -> MAPPING.matcher(s).results().count()).sum();
    }

    static long annotated() {
        return FunctionModules.names().stream().flatMap(f -> sources(f).stream())
                .mapToLong(s -> s.split("@CloudEventMapping\\(", -1).length - 1).sum();
    }
}

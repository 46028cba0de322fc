package io.nexodus.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The documentation names only what exists. For every Markdown file of the repository (tracked or new, not
 * ignored; never under {@code node_modules}):
 * <ul>
 * <li>every link target that is not a URL ({@code http:}, {@code https:}, {@code mailto:}) or an anchor of the
 * same page ({@code #…}, not checked) resolves to a file or directory relative to the Markdown file, and a {@code #fragment} into a
 * Markdown file names one of its headings (as GitHub makes anchors) or an {@code <a id>};</li>
 * <li>every path that starts with a top-level directory of the repository ({@code deploy/…}, {@code docs/…},
 * …), in backticks, in prose or in a code block, exists: exactly, or with {@code …}/{@code ...} standing for
 * any directories, or, when its last part is a class name, as that class's {@code .java} file below it. Build
 * output ({@code …/target/…}) and placeholders ({@code functions/<name>/}, {@code overlays/*}) are not
 * checked;</li>
 * <li>a backticked path that does not start with a top-level directory and ends in a file extension or
 * {@code /} exists relative to the Markdown file, or at the root, or as the end of some file's path;</li>
 * <li>every word that looks like a test class ({@code SomethingTest}, {@code SomethingIT}) and every
 * {@code Something.java} names a Java file of the repository; {@code SomethingTest.method} names a method
 * that file contains.</li>
 * </ul>
 * The failure lists every broken reference with its file and line.
 *
 * <p>And no file of the repository cites what a reader cannot open: notes that lived outside it, a tracker's
 * issue numbers (say why in words instead).
 */
class MarkdownReferencesTest {

    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
    private static final Pattern LINK = Pattern.compile("!?\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE_DEFINITION = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern TEST_CLASS = Pattern.compile("(?<![A-Za-z0-9_$@])([A-Z][a-z][A-Za-z0-9]*(?:Test|IT))(?:\\.([a-z][A-Za-z0-9_]*)(…|\\.\\.\\.)?)?(?![A-Za-z0-9_])");
    private static final Pattern LINK_TARGET = Pattern.compile("\\]\\([^)]*\\)");
    /** A link out of the repository: its text describes what is there, not a path here. */
    private static final Pattern EXTERNAL_LINK = Pattern.compile("!?\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(\\s*<?(?:https?://|mailto:)[^)]*\\)");
    private static final Pattern JAVA_FILE = Pattern.compile("(?<![A-Za-z0-9_$/.])([A-Z][A-Za-z0-9_]*)\\.java\\b");
    private static final Pattern EXTENSION = Pattern.compile(".*\\.(md|java|ya?ml|json|sql|sh|properties|xml|proto|cfg|txt|csv|html|js|mjs)$");
    private static final Pattern ANCHOR_ID = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");
    /** Build output: written by a build or a benchmark run, never in the repository. */
    private static final Pattern BUILD_OUTPUT = Pattern.compile("(^|/)target(/|$)");

    /** Flyway checksums every applied file: their old wording is explained in shared/migrations/README.md instead. */
    private static final Pattern APPLIED_MIGRATION = Pattern.compile(".*/src/main/resources/db/[^/]+/V\\d+__[^/]*\\.sql");

    /** Where a path token may not be cut: what follows it makes it a placeholder, not a path. */
    private static final String PLACEHOLDER_CHARS = "<{*$";

    /**
     * What a reader cannot open: notes that lived beside the repository, and numbered issues of a tracker. Spelt
     * in pieces so that this file does not match itself.
     */
    private static final List<Pattern> OUTSIDE = List.of(
            Pattern.compile("shared" + "/reference"),
            Pattern.compile("reference" + "/(nexodus|knative|ipam)/"),
            Pattern.compile("\\bDESIGN" + "\\.md\\b"),
            Pattern.compile("(?<![\\w/.-])(api|behaviou?r|ipam|deploy|issues)" + "\\.md\\b"),
            Pattern.compile("\\b(checklist|performance-anchors|stack-probe|ecosystem-conventions)" + "(\\.md)?\\b"),
            Pattern.compile("\\bManifests" + "Test\\b"),
            Pattern.compile("\\b[Ii]ssues?" + " #?\\d+"),
            Pattern.compile("\\b[Ii]ssue" + "'s outside probe"));

    @Test
    void everyPathAndClassAMarkdownFileNamesExists() {
        Index index = Index.load();
        List<String> broken = new ArrayList<>();
        for (String md : index.files) {
            if (md.endsWith(".md")) {
                checkMarkdown(index, md, broken);
            }
        }
        assertTrue(broken.isEmpty(), broken.size() + " broken reference(s) in Markdown files:\n" + String.join("\n", broken));
    }

    @Test
    void noFileCitesWhatIsNotInTheRepository() {
        Index index = Index.load();
        List<String> found = new ArrayList<>();
        String self = "deploy/ops/src/test/java/io/nexodus/ops/MarkdownReferencesTest.java";
        for (String file : index.files) {
            if (file.equals(self) || !isText(file) || APPLIED_MIGRATION.matcher(file).matches()) {
                continue; // an applied migration is never edited, not even a comment: shared/migrations/README.md
            }
            String[] lines = index.read(file).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                for (Pattern outside : OUTSIDE) {
                    Matcher m = outside.matcher(lines[i]);
                    if (m.find()) {
                        found.add(file + ":" + (i + 1) + ": \"" + m.group() + "\" is not something a reader can open: "
                                + lines[i].strip());
                    }
                }
            }
        }
        assertTrue(found.isEmpty(), found.size() + " citation(s) of what is not in the repository:\n" + String.join("\n", found));
    }

    private static boolean isText(String file) {
        return file.matches(".*\\.(md|java|ya?ml|json|sql|sh|properties|xml|proto|cfg|txt)$") || file.startsWith(".ci/");
    }

    /** The checks catch what they are for (and pass what is right), on a page planted beside the real ones. */
    @Test
    void aPlantedBrokenReferenceOfEachKindIsFound() {
        Index index = Index.load();
        String page = String.join("\n",
                "Fine: [the route table](functions/ROUTES.md), [metrics](docs/operations.md#metrics), `deploy/smoke.sh`,",
                "`tests/…/KeycloakTest`, `KnativeServicesTest`, `Repo.java`, [upstream](https://example.com/x.md),",
                "`bench/target/results/`, `functions/<name>/`, knative/serving, [here](#top).",
                "Broken: [a page](docs/no-such-page.md), [an anchor](docs/operations.md#no-such-heading),",
                "`deploy/no-such-file.yaml`, `NoSuchThingTest`, `NoSuchClass.java`, `KnativeServicesTest.noSuchMethod`,",
                "```sh",
                "deploy/no-such-script.sh",
                "```");
        List<String> broken = new ArrayList<>();
        checkMarkdown(index, "planted.md", page, broken);
        List<String> expected = List.of("docs/no-such-page.md", "#no-such-heading", "deploy/no-such-file.yaml",
                "NoSuchThingTest", "NoSuchClass.java", "noSuchMethod", "deploy/no-such-script.sh");
        for (String e : expected) {
            assertTrue(broken.stream().anyMatch(b -> b.contains(e)), "not found: " + e + " in " + broken);
        }
        assertTrue(broken.size() == expected.size(), "only the planted ones: " + String.join("\n", broken));
    }

    private static void checkMarkdown(Index index, String md, List<String> broken) {
        checkMarkdown(index, md, index.read(md), broken);
    }

    private static void checkMarkdown(Index index, String md, String text, List<String> broken) {
        String dir = md.contains("/") ? md.substring(0, md.lastIndexOf('/')) : "";
        String[] lines = text.split("\n", -1);
        boolean fenced = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String where = md + ":" + (i + 1) + ": ";
            if (FENCE.matcher(line).find()) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                checkRootPaths(index, line, false, where, broken);
            } else {
                checkLinks(index, md, dir, line, where, broken);
                String local = EXTERNAL_LINK.matcher(line).replaceAll(" ");
                Matcher span = CODE_SPAN.matcher(local);
                while (span.find()) {
                    for (String word : span.group(1).trim().split("\\s+")) {
                        if (index.rootPath.matcher(word).lookingAt()) {
                            checkRootPaths(index, word, true, where, broken);
                        } else {
                            checkRelativeToken(index, dir, word, where, broken);
                        }
                    }
                }
                String prose = LINK_TARGET.matcher(CODE_SPAN.matcher(local).replaceAll(" ")).replaceAll("]");
                checkRootPaths(index, prose, false, where, broken); // link targets: checked as links above
            }
            checkClasses(index, line, where, broken);
        }
    }

    private static void checkLinks(Index index, String md, String dir, String line, String where, List<String> broken) {
        List<String> targets = new ArrayList<>();
        Matcher link = LINK.matcher(line);
        while (link.find()) {
            targets.add(link.group(1));
        }
        Matcher definition = REFERENCE_DEFINITION.matcher(line);
        if (definition.matches()) {
            targets.add(definition.group(1));
        }
        for (String target : targets) {
            String lower = target.toLowerCase(Locale.ROOT);
            if (lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("mailto:") || lower.startsWith("#")) {
                continue;
            }
            String fragment = null;
            String path = target;
            int hash = target.indexOf('#');
            if (hash >= 0) {
                fragment = target.substring(hash + 1);
                path = target.substring(0, hash);
            }
            int query = path.indexOf('?');
            if (query >= 0) {
                path = path.substring(0, query);
            }
            path = path.replace("%20", " ");
            String resolved = normalize(path.startsWith("/") ? path.substring(1) : join(dir, path));
            if (resolved == null || !index.exists(resolved)) {
                broken.add(where + "link (" + target + ") resolves to nothing (" + resolved + ")");
                continue;
            }
            if (fragment != null && !fragment.isEmpty() && resolved.endsWith(".md")
                    && !index.anchors(resolved).contains(fragment.toLowerCase(Locale.ROOT))) {
                broken.add(where + "link (" + target + "): " + resolved + " has no heading or <a id> for #" + fragment);
            }
        }
    }

    /**
     * Paths starting with a top-level directory. Strict (in backticks): every one. Otherwise (prose, code blocks),
     * only what cannot be a repository's name on a forge ({@code knative/serving}): a file name, a trailing
     * {@code /}, or three parts and more.
     */
    private static void checkRootPaths(Index index, String line, boolean strict, String where, List<String> broken) {
        Matcher m = index.rootPath.matcher(line);
        while (m.find()) {
            int end = m.end();
            if (end < line.length() && PLACEHOLDER_CHARS.indexOf(line.charAt(end)) >= 0) {
                continue;
            }
            String token = trimSentenceEnd(m.group(1));
            if (token.isEmpty() || BUILD_OUTPUT.matcher(token).find()) {
                continue;
            }
            if (!strict && !token.endsWith("/") && !EXTENSION.matcher(token).matches() && token.split("/").length < 3) {
                continue;
            }
            if (!index.resolvesFromRoot(token)) {
                broken.add(where + "path " + token + " does not exist");
            }
        }
    }

    /** A backticked path that does not start at a top-level directory: relative to the Markdown file or anywhere. */
    private static void checkRelativeToken(Index index, String dir, String raw, String where, List<String> broken) {
        String word = raw.replaceAll("^[(\"']+", "").replaceAll("[)\"',;:]+$", "");
        if (!word.contains("/") || word.startsWith("/") || word.startsWith("~") || word.startsWith(".")
                || word.contains("://") || word.matches(".*[<>{}*$=…?&@:|\\[\\]].*") || word.contains("...")
                || index.rootPath.matcher(word).lookingAt() || BUILD_OUTPUT.matcher(word).find()) {
            return;
        }
        String first = word.substring(0, word.indexOf('/'));
        boolean pathLike = EXTENSION.matcher(word).matches() || (word.endsWith("/") && word.indexOf('/') < word.length() - 1);
        if (!pathLike || first.contains(".")) {
            return; // a single directory name (logs/) says too little; kind.local/ is a registry, not a path
        }
        String bare = word.endsWith("/") ? word.substring(0, word.length() - 1) : word;
        String relative = normalize(join(dir, bare));
        if ((relative != null && index.exists(relative)) || index.exists(bare) || index.endsWith("/" + bare)) {
            return;
        }
        broken.add(where + "path `" + word + "` exists neither beside the file, nor at the root, nor anywhere");
    }

    private static void checkClasses(Index index, String line, String where, List<String> broken) {
        Matcher test = TEST_CLASS.matcher(line);
        while (test.find()) {
            String name = test.group(1);
            List<String> files = index.javaFiles.get(name);
            if (files == null) {
                broken.add(where + "class " + name + " has no " + name + ".java in the repository");
            } else if (test.group(2) != null) {
                String method = test.group(2);
                String rest = test.group(3) != null ? "[A-Za-z0-9_]*" : ""; // Name.aMethodNam… abbreviates
                boolean has = files.stream().anyMatch(f -> Pattern.compile("\\b" + Pattern.quote(method) + rest + "\\s*\\(")
                        .matcher(index.read(f)).find());
                if (!has) {
                    broken.add(where + name + "." + method + ": " + name + ".java has no method " + method);
                }
            }
        }
        Matcher java = JAVA_FILE.matcher(line);
        while (java.find()) {
            if (!index.javaFiles.containsKey(java.group(1))) {
                broken.add(where + java.group(1) + ".java is no file of the repository");
            }
        }
    }

    private static String trimSentenceEnd(String token) {
        String t = token;
        while (t.endsWith(".") && !t.endsWith("...")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    private static String join(String dir, String path) {
        return dir.isEmpty() ? path : dir + "/" + path;
    }

    /** {@code a/./b/../c/} → {@code a/c}; null when it climbs out of the repository. */
    static String normalize(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("<[^>]+>", "").replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        return text.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    /** The repository's files (tracked, or new and not ignored) and what can be found from them. */
    static final class Index {
        final Path root = Repo.root();
        final List<String> files;
        final Set<String> entries = new HashSet<>();
        final Map<String, List<String>> javaFiles = new HashMap<>();
        final Pattern rootPath;
        private final Map<String, String> texts = new HashMap<>();
        private final Map<String, Set<String>> anchors = new HashMap<>();

        private Index(List<String> files) {
            this.files = files;
            Set<String> topDirs = new TreeSet<>();
            for (String file : files) {
                entries.add(file);
                for (int slash = file.indexOf('/'); slash >= 0; slash = file.indexOf('/', slash + 1)) {
                    entries.add(file.substring(0, slash));
                }
                if (file.contains("/")) {
                    topDirs.add(Pattern.quote(file.substring(0, file.indexOf('/'))));
                }
                if (file.endsWith(".java")) {
                    String name = file.substring(file.lastIndexOf('/') + 1, file.length() - ".java".length());
                    javaFiles.computeIfAbsent(name, k -> new ArrayList<>()).add(file);
                }
            }
            rootPath = Pattern.compile("(?<![\\w./~$@:#-])((?:" + String.join("|", topDirs) + ")/[^\\s`'\"(),;:<>|*{}\\[\\]$#]*)");
        }

        static Index load() {
            Path root = Repo.root();
            try {
                Process git = new ProcessBuilder("git", "ls-files", "--cached", "--others", "--exclude-standard", "-z")
                        .directory(root.toFile()).redirectErrorStream(false).start();
                String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!git.waitFor(60, TimeUnit.SECONDS) || git.exitValue() != 0) {
                    throw new IllegalStateException("git ls-files failed in " + root);
                }
                List<String> files = new ArrayList<>();
                for (String f : out.split("\0")) {
                    if (!f.isEmpty() && !f.contains("node_modules/") && Files.exists(root.resolve(f))) {
                        files.add(f);
                    }
                }
                return new Index(files);
            } catch (IOException e) {
                throw new UncheckedIOException("git is needed to list the repository's files", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        String read(String file) {
            return texts.computeIfAbsent(file, f -> {
                try {
                    return Files.readString(root.resolve(f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        boolean exists(String path) {
            String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            return p.isEmpty() || entries.contains(p);
        }

        boolean endsWith(String suffix) {
            String s = suffix.endsWith("/") ? suffix.substring(0, suffix.length() - 1) : suffix;
            return entries.stream().anyMatch(e -> e.endsWith(s));
        }

        /** Exactly; with … or ... for any directories; or a class name as its .java file below the path's start. */
        boolean resolvesFromRoot(String token) {
            String t = token.endsWith("/") ? token.substring(0, token.length() - 1) : token;
            if (exists(t)) {
                return true;
            }
            String last = t.substring(t.lastIndexOf('/') + 1);
            boolean className = last.matches("[A-Z][A-Za-z0-9_]*");
            if (!t.contains("…") && !t.contains("...") && !className) {
                return false;
            }
            StringBuilder regex = new StringBuilder();
            String[] parts = t.split("/");
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                if (part.equals("…") || part.equals("...")) {
                    regex.append("(?:[^/]+/)*");
                } else {
                    regex.append(Pattern.quote(part));
                    if (i < parts.length - 1) {
                        regex.append('/');
                    }
                }
            }
            String pattern = regex.toString();
            if (className && !t.contains("…") && !t.contains("...")) {
                // tests/KeycloakTest: the class KeycloakTest somewhere below tests/
                String base = t.substring(0, t.lastIndexOf('/') + 1);
                pattern = Pattern.quote(base) + "(?:[^/]+/)*" + Pattern.quote(last);
            }
            Pattern p = Pattern.compile(pattern + (className ? "(?:\\.java)?" : ""));
            return entries.stream().anyMatch(e -> p.matcher(e).matches());
        }

        Set<String> anchors(String md) {
            return anchors.computeIfAbsent(md, f -> {
                Set<String> out = new HashSet<>();
                Map<String, Integer> seen = new HashMap<>();
                boolean fenced = false;
                for (String line : read(f).split("\n")) {
                    if (FENCE.matcher(line).find()) {
                        fenced = !fenced;
                        continue;
                    }
                    if (fenced) {
                        continue;
                    }
                    Matcher id = ANCHOR_ID.matcher(line);
                    while (id.find()) {
                        out.add(id.group(1).toLowerCase(Locale.ROOT));
                    }
                    if (line.startsWith("#")) {
                        String slug = slug(line.replaceFirst("^#+\\s*", ""));
                        int n = seen.merge(slug, 1, Integer::sum);
                        out.add(n == 1 ? slug : slug + "-" + (n - 1));
                    }
                }
                return out;
            });
        }
    }
}

package io.nexodus.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The function modules: the &lt;module&gt; entries of functions/pom.xml, each one Knative Service. */
final class FunctionModules {

    private FunctionModules() {
    }

    static List<String> names() {
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Repo.read("functions/pom.xml"));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1).trim());
        }
        return out;
    }

    /** The project version (root pom's own version, the first &lt;version&gt; after its artifactId). */
    static String projectVersion() {
        Matcher m = Pattern.compile("<artifactId>nexodus-functions</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Repo.read("pom.xml"));
        if (!m.find()) {
            throw new AssertionError("no project version in pom.xml");
        }
        return m.group(1);
    }
}

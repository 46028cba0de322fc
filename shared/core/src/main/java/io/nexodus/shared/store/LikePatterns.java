package io.nexodus.shared.store;

import java.util.List;

/** Key prefixes as SQL {@code LIKE} patterns, with LIKE's own wildcards in a prefix taken literally. */
public final class LikePatterns {

    private LikePatterns() {
    }

    /** For {@code key LIKE ANY ($n)}: {@code "re_lay"} becomes {@code "re\\_lay%"}. */
    public static String[] startingWith(List<String> prefixes) {
        return prefixes.stream().map(p -> p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
                .toArray(String[]::new);
    }
}

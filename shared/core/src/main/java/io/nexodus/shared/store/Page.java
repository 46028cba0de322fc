package io.nexodus.shared.store;

import java.util.List;
import java.util.function.Function;

/** One page of a list and the total before paging (the {@code X-Total-Count} header). */
public record Page<T>(List<T> items, long total) {

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(items.stream().map(mapper).toList(), total);
    }
}

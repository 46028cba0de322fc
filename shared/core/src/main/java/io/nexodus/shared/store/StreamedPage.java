package io.nexodus.shared.store;

import io.smallrye.mutiny.Multi;
import java.util.List;
import java.util.function.Function;

/**
 * A list read as it is sent: its items in batches (a {@link RowCursor} behind them, read as the client takes them)
 * and the total before paging (the {@code X-Total-Count} header), counted before the first batch.
 */
public record StreamedPage<T>(Multi<List<T>> batches, long total) {

    public <R> StreamedPage<R> map(Function<T, R> mapper) {
        return new StreamedPage<>(batches.map(batch -> batch.stream().map(mapper).toList()), total);
    }
}

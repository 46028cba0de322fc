package io.nexodus.shared.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.shared.store.StreamedPage;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * A list sent as it is read ({@link StreamedPage}): the same JSON array and {@code X-Total-Count} as
 * {@link RestResponses#list}, written batch by batch, so that a 100,000-device list is never one 77 MB object in
 * this process. RESTEasy Reactive writes a JSON {@code Multi} as an array itself: {@code [}, a comma between two
 * items, {@code ]} (or {@code []} when there was none). Each item here is one batch, rendered by the application's
 * ObjectMapper (the one RESTEasy would use for the whole list) as an array whose brackets are then cut off, so the
 * commas inside a batch and RESTEasy's between batches make one array. A batch is never empty ({@code RowCursor}).
 */
@ApplicationScoped
public class StreamedLists {

    @Inject
    ObjectMapper json;

    public <T> RestMulti<byte[]> respond(Uni<StreamedPage<T>> page) {
        return RestMulti.fromUniResponse(page, p -> p.batches().map(this::elements),
                p -> RestResponses.listHeaders(p.total()));
    }

    byte[] elements(List<?> batch) {
        try {
            byte[] array = json.writeValueAsBytes(batch);
            return Arrays.copyOfRange(array, 1, array.length - 1);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

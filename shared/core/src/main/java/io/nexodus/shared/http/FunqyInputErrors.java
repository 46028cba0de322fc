package io.nexodus.shared.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.error.ApiException;
import io.quarkus.funqy.runtime.FunctionInvoker;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Funqy answers an input it cannot read with a bare 400 and drops the reason. To still name the field,
 * this reads the same body again, with the same mapper, into the input type of the function the
 * request was for (by path for Funqy HTTP, by {@code ce-type} for a binary-mode CloudEvent, by the
 * {@code type} member for a structured one) and reports what Jackson says.
 */
@ApplicationScoped
public class FunqyInputErrors {

    @Inject
    ObjectMapper mapper;

    /**
     * A function that reads an input, called with no body: Funqy fails with a NullPointerException
     * (it reads a buffer that is not there), which would be a 500. It is the caller's mistake: a 400.
     */
    public Optional<ApiException> missingBody(RoutingContext ctx, Throwable failure) {
        boolean empty = ctx.body() == null || ctx.body().buffer() == null || ctx.body().buffer().length() == 0;
        if (!(failure instanceof NullPointerException) || !empty) {
            return Optional.empty();
        }
        FunctionInvoker invoker = invokerFor(ctx, ctx.request().getHeader("ce-type"));
        return invoker != null && invoker.hasInput()
                ? Optional.of(ApiErrors.validation("a JSON body is required (send {} for none)", null))
                : Optional.empty();
    }

    public Optional<ApiException> diagnose(RoutingContext ctx) {
        try {
            if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().buffer().length() == 0) {
                return Optional.empty();
            }
            byte[] body = ctx.body().buffer().getBytes();
            String ceType = ctx.request().getHeader("ce-type");
            JsonNode data = null;
            String contentType = String.valueOf(ctx.request().getHeader("Content-Type"));
            if (ceType == null && contentType.startsWith("application/cloudevents+json")) {
                JsonNode event = mapper.readTree(body);
                ceType = event.path("type").asText(null);
                data = event.get("data");
            }
            FunctionInvoker invoker = invokerFor(ctx, ceType);
            if (invoker == null || !invoker.hasInput()) {
                return Optional.empty();
            }
            var reader = mapper.readerFor(mapper.constructType(invoker.getInputType()));
            if (data != null) {
                reader.readValue(data);
            } else {
                reader.readValue(body);
            }
            return Optional.empty();
        } catch (Exception e) {
            ApiException error = ErrorResponses.toApiException(e);
            return error.status() == 400 ? Optional.of(error) : Optional.of(ApiErrors.validation("request json is invalid", null));
        }
    }

    private static FunctionInvoker invokerFor(RoutingContext ctx, String ceType) {
        return FunqyFunctions.invokerFor(ctx.normalizedPath(), ceType);
    }
}

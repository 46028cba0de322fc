package io.nexodus.shared.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.nexodus.shared.error.ApiException;
import io.nexodus.shared.error.ErrorBody;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The REST binding's side of {@link ErrorResponses}: same status, same JSON body. The Jackson types are
 * named one by one because JAX-RS picks the mapper of the nearest exception type, and Quarkus ships
 * its own mappers for some of them.
 */
public class RestErrorMapper {

    @ServerExceptionMapper
    public Response api(ApiException failure) {
        return response(failure);
    }

    @ServerExceptionMapper({JsonProcessingException.class, MismatchedInputException.class,
            InvalidFormatException.class, UnrecognizedPropertyException.class})
    public Response json(Exception failure) {
        return response(ErrorResponses.toApiException(failure));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException failure) {
        if (failure.getCause() != null) {
            return response(ErrorResponses.toApiException(failure.getCause()));
        }
        int status = failure.getResponse().getStatus();
        if (status >= 500) {
            return response(ErrorResponses.toApiException(failure));
        }
        String reason = failure.getResponse().getStatusInfo().getReasonPhrase();
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(ErrorBody.of(reason == null ? "request failed" : reason.toLowerCase())).build();
    }

    @ServerExceptionMapper
    public Response other(Throwable failure) {
        return response(ErrorResponses.toApiException(failure));
    }

    static Response response(ApiException error) {
        Response.ResponseBuilder response = Response.status(error.status()).type(MediaType.APPLICATION_JSON)
                .entity(error.body());
        ErrorResponses.retryAfter(error).ifPresent(seconds -> response.header(ErrorResponses.RETRY_AFTER, seconds));
        return response.build();
    }
}

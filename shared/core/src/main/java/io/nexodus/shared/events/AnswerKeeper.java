package io.nexodus.shared.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Arc;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * Keeps the answer of a function invoked by a first-seen CloudEvent on its request, serialized as the reply's
 * data, for {@link InboundEvents} to store once the reply is written. Funqy writes no hook for its reply
 * body, so the function's result is taken here, before Funqy serializes it the same way.
 */
@OncePerEvent
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
public class AnswerKeeper {

    @Inject
    ObjectMapper json;

    @Inject
    CurrentVertxRequest request;

    @AroundInvoke
    Object keep(InvocationContext invocation) throws Exception {
        Object result = invocation.proceed();
        RoutingContext ctx = Arc.container().requestContext().isActive() ? request.getCurrent() : null;
        if (ctx == null || ctx.get(InboundEvents.CLAIMED) == null) {
            return result;
        }
        if (result instanceof Uni<?> answer) {
            return answer.invoke(value -> ctx.put(InboundEvents.ANSWER, serialize(value)));
        }
        ctx.put(InboundEvents.ANSWER, serialize(result));
        return result;
    }

    private byte[] serialize(Object value) {
        try {
            return value == null ? new byte[0] : json.writeValueAsBytes(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

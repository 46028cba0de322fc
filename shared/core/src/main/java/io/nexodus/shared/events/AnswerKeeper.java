package io.nexodus.shared.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Arc;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * Keeps the answer of a function invoked by a first-seen CloudEvent ({@link InboundEvents}), serialized as
 * the reply's data, before Funqy writes the reply: Funqy offers no hook on its reply body, so the
 * function's result is taken here and serialized the same way.
 */
@OncePerEvent
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
public class AnswerKeeper {

    @Inject
    ObjectMapper json;

    @Inject
    CurrentVertxRequest request;

    @Inject
    InboundEvents inbound;

    @AroundInvoke
    Object keep(InvocationContext invocation) throws Exception {
        Object result = invocation.proceed();
        RoutingContext ctx = Arc.container().requestContext().isActive() ? request.getCurrent() : null;
        if (ctx == null || ctx.get(InboundEvents.CLAIMED) == null) {
            return result;
        }
        Reply reply = Reply.of(invocation.getMethod());
        if (result instanceof Uni<?> answer) {
            // kept before the answer goes out, so a redelivery right after it already finds it
            return answer.call(value -> inbound.keep(ctx, reply, value == null ? null : serialize(value)));
        }
        return result;
    }

    /** The reply's attributes as Funqy writes them: the mapping's response type, the function's name as source. */
    record Reply(String type, String source) {
        static Reply of(java.lang.reflect.Method method) {
            CloudEventMapping mapping = method.getAnnotation(CloudEventMapping.class);
            Funq funq = method.getAnnotation(Funq.class);
            String name = funq == null || funq.value().isEmpty() ? method.getName() : funq.value();
            return new Reply(mapping == null || mapping.responseType().isEmpty() ? name + ".output" : mapping.responseType(),
                    name);
        }
    }

    private byte[] serialize(Object value) {
        try {
            return value == null ? new byte[0] : json.writeValueAsBytes(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

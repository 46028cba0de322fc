package io.nexodus.shared.http;

import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.quarkus.funqy.runtime.FunctionInvoker;
import io.quarkus.funqy.runtime.FunctionRecorder;

/** The Funqy function a request is for: by {@code ce-type} for a CloudEvent, else by path (Funqy HTTP). */
public final class FunqyFunctions {

    private FunqyFunctions() {
    }

    /** @return the function, or null when the request names none of this application's functions */
    public static FunctionInvoker invokerFor(String path, String ceType) {
        if (FunctionRecorder.registry == null) {
            return null; // an application without Funqy functions
        }
        return ceType != null ? byTrigger(ceType) : FunctionRecorder.registry.matchInvoker(path.substring(1));
    }

    private static FunctionInvoker byTrigger(String ceType) {
        for (FunctionInvoker invoker : FunctionRecorder.registry.invokers()) {
            CloudEventMapping mapping = invoker.getMethod().getAnnotation(CloudEventMapping.class);
            String trigger = mapping != null && !mapping.trigger().isEmpty() ? mapping.trigger() : invoker.getName();
            if (trigger.equals(ceType)) {
                return invoker;
            }
        }
        return null;
    }
}

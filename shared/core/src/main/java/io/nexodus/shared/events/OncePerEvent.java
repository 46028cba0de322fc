package io.nexodus.shared.events;

import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a class of {@code @Funq} methods: a CloudEvent delivered again (same {@code source} and {@code id})
 * gets the first delivery's answer instead of a second effect ({@link InboundEvents}). The interceptor
 * only keeps the answer a method returned; the rest happens around the request.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface OncePerEvent {
}

package io.nexodus.shared.http;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a write's input: the resource it writes, whose read model ({@link #value()}, the JSON the API answers
 * with) a client may send back whole. A field of that read model which the input does not take is read-only
 * and ignored, not refused; any other unknown field is still {@code 400 unknown field} ({@link StrictJson}).
 * react-admin's edit forms PUT/PATCH the record they read, {@code id}, {@code owner_id}, {@code revision}…
 * included; Nexodus ignored all of it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface WritesResource {
    Class<?> value();
}

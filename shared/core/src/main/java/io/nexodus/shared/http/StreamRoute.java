package io.nexodus.shared.http;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a Nexodus route served by a Vert.x route handler instead of a REST resource (streams), so
 * that the route table check (tests/RouteTableTest) sees it like any other route.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(StreamRoute.List.class)
public @interface StreamRoute {

    String method();

    String path();

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        StreamRoute[] value();
    }
}

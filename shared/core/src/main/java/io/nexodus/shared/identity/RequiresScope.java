package io.nexodus.shared.identity;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The scope an identity-provider token needs to call this Funqy function (by its name or its CloudEvent):
 * the scope of the Nexodus route it binds (its internal/routers/token.rego), so a function is refused to the same
 * tokens under Funqy and CloudEvents as its route under REST. {@link ScopeRules} reads it; a function without it (gc)
 * takes no user scope and makes its own check.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RequiresScope {

    /** e.g. {@code read:devices}, {@code write:organizations} */
    String value();
}

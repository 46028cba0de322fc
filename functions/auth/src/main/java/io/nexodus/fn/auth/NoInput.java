package io.nexodus.fn.auth;

/**
 * The input of an operation that takes none: Funqy reads a body into it, so a Funqy call or CloudEvent may
 * send {@code {}} (as every function of this project accepts), where a method without a parameter fails.
 */
public record NoInput() {
}

package io.nexodus.shared.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

/**
 * This replica's identity towards the sink, where Knative Eventing gives it one: with sender authentication on
 * ({@code authentication-oidc} in Eventing's {@code config-features}), the SinkBinding mounts an OIDC token for
 * the Broker's audience at {@code /oidc/token} in every function's container, and the Broker (with an
 * {@code EventPolicy}: components/event-policy) refuses events without it. The reconciler renews the token
 * before it expires by rewriting the Secret behind the file, so the file is read again whenever it changed
 * (one {@code stat} per event; the usual answer is the token already read). No file: no identity, no header.
 */
final class SinkToken {

    private record Read(FileTime modified, String token) {
    }

    private final Path file;
    private volatile Read last;

    SinkToken(Path file) {
        this.file = file;
    }

    Optional<String> current() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            Read read = last;
            if (read == null || !read.modified().equals(modified)) {
                read = new Read(modified, Files.readString(file, StandardCharsets.UTF_8).strip());
                last = read;
            }
            return read.token().isEmpty() ? Optional.empty() : Optional.of(read.token());
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        } catch (IOException unreadable) {
            // as if absent: the sink refuses the event (401) and it stays pending, with the reason in the sink's answer
            return Optional.empty();
        }
    }
}

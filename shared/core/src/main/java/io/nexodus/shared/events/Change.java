package io.nexodus.shared.events;

import java.util.UUID;

/**
 * One committed change as its outbound event will tell it.
 *
 * @param type           what happened
 * @param subject        the id of the resource that changed (the CloudEvent {@code subject}); events of one
 *                       subject are delivered in the order they were written
 * @param organizationId whose audit trail records it (null: none, e.g. a user deleted)
 * @param data           the resource as its JSON view, without secrets ({@link Outbox} refuses a
 *                       {@code bearer_token})
 */
public record Change(EventType type, UUID subject, UUID organizationId, Object data) {
}

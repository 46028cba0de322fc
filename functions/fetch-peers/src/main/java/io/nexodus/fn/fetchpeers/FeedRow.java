package io.nexodus.fn.fetchpeers;

import io.vertx.mutiny.sqlclient.Row;

/**
 * A row read for watchers, with the identity that decides whether a tombstone is news to a stream and
 * its rendering for anyone who is not entitled to secrets in it (rendered once, shared by all).
 */
record FeedRow(long revision, boolean deleted, String id, Row row, String publicJson) {
}

package io.nexodus.fn.fetchpeers;

/**
 * A row read for watchers, with the identity that decides whether a tombstone is news to a stream and
 * its rendering, one for every watcher (a watch carries no device token: DeviceTokenVault#withoutToken).
 */
record FeedRow(long revision, boolean deleted, String id, String json) {
}

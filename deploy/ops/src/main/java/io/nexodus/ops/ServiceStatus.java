package io.nexodus.ops;

import java.util.List;

/**
 * One Knative Service as an operator wants to see it. {@code actualPods}/{@code desiredPods} are those of
 * the latest ready revision (null when Knative has not reported them yet).
 */
public record ServiceStatus(String name, boolean ready, String latestReadyRevision, String latestCreatedRevision,
        List<Traffic> traffic, Integer actualPods, Integer desiredPods, int minScale, int maxScale, String url,
        String reason) {

    public record Traffic(String revision, long percent, boolean latest) {
    }

    /** No pod running and none wanted: the revision has scaled to zero (the normal idle state). */
    public boolean scaledToZero() {
        return actualPods != null && actualPods == 0 && (desiredPods == null || desiredPods == 0);
    }
}

package io.nexodus.ops;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * What went wrong talking to the cluster, in words an operator can act on, with the exit code the
 * tool returns: 3 = the cluster cannot be reached, 4 = Knative Serving is not installed, 5 = refused
 * (1 and 2 are the tool's own: not ready, and a usage error).
 */
record ClusterProblem(int exitCode, String message) {

    static Optional<ClusterProblem> of(Throwable error, String masterUrl) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || t instanceof SocketTimeoutException || t instanceof java.nio.channels.UnresolvedAddressException) {
                return Optional.of(new ClusterProblem(3, "cannot reach the cluster at " + masterUrl + " (" + t.getClass().getSimpleName()
                        + (t.getMessage() == null ? "" : ": " + t.getMessage()) + "); check your kubeconfig context or KUBECONFIG"));
            }
        }
        if (error instanceof KubernetesClientException k) {
            if (k.getCode() == 404) {
                return Optional.of(new ClusterProblem(4, "Knative Serving is not installed on " + masterUrl
                        + " (no serving.knative.dev/v1 services API); see deploy/README.md"));
            }
            if (k.getCode() == 401 || k.getCode() == 403) {
                return Optional.of(new ClusterProblem(5, "the cluster refused the request (" + k.getCode() + "): "
                        + (k.getStatus() != null ? k.getStatus().getMessage() : k.getMessage())));
            }
        }
        return Optional.empty();
    }
}

package io.nexodus.shared.ipam;

import io.nexodus.shared.ipam.api.v1.AcquireIPRequest;
import io.nexodus.shared.ipam.api.v1.CreateNamespaceRequest;
import io.nexodus.shared.ipam.api.v1.CreatePrefixRequest;
import io.nexodus.shared.ipam.api.v1.DeleteNamespaceRequest;
import io.nexodus.shared.ipam.api.v1.DeletePrefixRequest;
import io.nexodus.shared.ipam.api.v1.GetPrefixRequest;
import io.nexodus.shared.ipam.api.v1.IpamService;
import io.nexodus.shared.ipam.api.v1.Prefix;
import io.nexodus.shared.ipam.api.v1.PrefixUsageRequest;
import io.nexodus.shared.ipam.api.v1.PrefixUsageResponse;
import io.nexodus.shared.ipam.api.v1.ReleaseIPRequest;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.function.Supplier;

/**
 * What the functions ask of IPAM, typed. Works against our {@code ipam/} server and an upstream go-ipam
 * alike: only the address ({@code quarkus.grpc.clients.ipam.host/port}) changes. Every call has the
 * channel's deadline ({@code quarkus.grpc.clients.ipam.deadline}) and is retried only on transient
 * failures ({@link IpamRetry}); the raw stub stays reachable through {@link #stub()} for the rest.
 *
 * <p>Failures arrive as {@link io.grpc.StatusRuntimeException}; {@link IpamErrors} reads them.
 */
@ApplicationScoped
public class IpamClient {

    @GrpcClient("ipam")
    IpamService ipam;

    @Inject
    IpamRetry retry;

    /** The generated Mutiny stub, for the calls without a helper here (usage, child prefixes, dump). */
    public IpamService stub() {
        return ipam;
    }

    /** Creates the namespace if missing (the server treats an existing one as success too). */
    public Uni<Void> ensureNamespace(String namespace) {
        return call(() -> ipam.createNamespace(CreateNamespaceRequest.newBuilder().setNamespace(namespace).build()))
                .replaceWithVoid();
    }

    public Uni<Void> deleteNamespace(String namespace) {
        return call(() -> ipam.deleteNamespace(DeleteNamespaceRequest.newBuilder().setNamespace(namespace).build()))
                .replaceWithVoid();
    }

    /** Creates a top-level prefix; fails when it exists or overlaps another one. */
    public Uni<Prefix> createPrefix(String namespace, String cidr) {
        return call(() -> ipam.createPrefix(CreatePrefixRequest.newBuilder().setCidr(cidr).setNamespace(namespace).build()))
                .map(r -> r.getPrefix());
    }

    /**
     * Creates the prefix, or accepts the identical top-level prefix that is already there. Our server
     * says ALREADY_EXISTS; go-ipam says INVALID_ARGUMENT for both "exists" and "overlaps", so, as
     * Nexodus did, a failed create is followed by a get that decides.
     */
    public Uni<Prefix> ensurePrefix(String namespace, String cidr) {
        String normalized = Cidrs.normalize(cidr);
        return createPrefix(namespace, normalized)
                .onFailure(IpamErrors::mayBeExistingPrefix).recoverWithUni(failure -> getPrefix(namespace, normalized)
                        .onFailure().transform(ignored -> failure)
                        .flatMap(existing -> existing.getCidr().equals(normalized) && existing.getParentCidr().isEmpty()
                                ? Uni.createFrom().item(existing)
                                : Uni.createFrom().failure(failure)));
    }

    public Uni<Prefix> getPrefix(String namespace, String cidr) {
        return call(() -> ipam.getPrefix(GetPrefixRequest.newBuilder().setCidr(cidr).setNamespace(namespace).build()))
                .map(r -> r.getPrefix());
    }

    /** Deletes a prefix; refused by the server while addresses are allocated in it. */
    public Uni<Prefix> deletePrefix(String namespace, String cidr) {
        return call(() -> ipam.deletePrefix(DeletePrefixRequest.newBuilder().setCidr(cidr).setNamespace(namespace).build()))
                .map(r -> r.getPrefix());
    }

    /** The lowest free address of {@code prefixCidr}, as a bare address ("100.64.0.1"). */
    public Uni<String> acquireIp(String namespace, String prefixCidr) {
        return call(() -> ipam.acquireIP(AcquireIPRequest.newBuilder().setPrefixCidr(prefixCidr).setNamespace(namespace).build()))
                .map(r -> r.getIp().getIp());
    }

    /** Exactly {@code address} in {@code prefixCidr}, or a failure (already allocated, outside the prefix). */
    public Uni<String> acquireIp(String namespace, String prefixCidr, String address) {
        if (address == null || address.isBlank()) {
            return acquireIp(namespace, prefixCidr);
        }
        return call(() -> ipam.acquireIP(AcquireIPRequest.newBuilder().setPrefixCidr(prefixCidr).setIp(address)
                .setNamespace(namespace).build()))
                .map(r -> r.getIp().getIp());
    }

    /**
     * {@code address} if it is free, else the lowest free one: what nexd's {@code --request-ip} gets
     * (Nexodus's AssignSpecificTunnelIP falls back silently too).
     */
    public Uni<String> acquireIpPreferring(String namespace, String prefixCidr, String address) {
        return acquireIp(namespace, prefixCidr, address)
                .onFailure(IpamErrors::isPermanent).recoverWithUni(ignored -> acquireIp(namespace, prefixCidr));
    }

    public Uni<Void> releaseIp(String namespace, String prefixCidr, String address) {
        return call(() -> ipam.releaseIP(ReleaseIPRequest.newBuilder().setPrefixCidr(prefixCidr).setIp(address)
                .setNamespace(namespace).build()))
                .replaceWithVoid();
    }

    public Uni<PrefixUsageResponse> usage(String namespace, String cidr) {
        return call(() -> ipam.prefixUsage(PrefixUsageRequest.newBuilder().setCidr(cidr).setNamespace(namespace).build()));
    }

    private <T> Uni<T> call(Supplier<Uni<? extends T>> rpc) {
        return retry.transientFailures(Uni.createFrom().<T>deferred(rpc));
    }
}

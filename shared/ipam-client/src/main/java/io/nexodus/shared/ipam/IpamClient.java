package io.nexodus.shared.ipam;

import io.nexodus.shared.ipam.api.v1.AcquireIPRequest;
import io.nexodus.shared.ipam.api.v1.CreateNamespaceRequest;
import io.nexodus.shared.ipam.api.v1.CreatePrefixRequest;
import io.nexodus.shared.ipam.api.v1.DeleteNamespaceRequest;
import io.nexodus.shared.ipam.api.v1.DeletePrefixRequest;
import io.nexodus.shared.ipam.api.v1.DumpRequest;
import io.nexodus.shared.ipam.api.v1.GetPrefixRequest;
import io.nexodus.shared.ipam.api.v1.ListNamespacesRequest;
import io.nexodus.shared.ipam.api.v1.MutinyIpamServiceGrpc.MutinyIpamServiceStub;
import io.nexodus.shared.ipam.api.v1.Prefix;
import io.nexodus.shared.ipam.api.v1.PrefixUsageRequest;
import io.nexodus.shared.ipam.api.v1.PrefixUsageResponse;
import io.nexodus.shared.ipam.api.v1.ReleaseIPRequest;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What the functions ask of IPAM, typed. Works against our {@code ipam/} server and an upstream go-ipam
 * alike: only the address ({@code quarkus.grpc.clients.ipam.host/port}) changes. Every call gets its
 * own deadline ({@code nexodus.ipam.deadline}, per call: a deadline set once on an injected stub would
 * be absolute and expire for all later calls) and is retried only on transient failures
 * ({@link IpamRetry}); {@link #stub()} gives the generated stub for the calls without a helper.
 *
 * <p>Failures arrive as {@link io.grpc.StatusRuntimeException}; {@link IpamErrors} reads them.
 */
@ApplicationScoped
public class IpamClient {

    @GrpcClient("ipam")
    MutinyIpamServiceStub channel;

    @Inject
    IpamRetry retry;

    @Inject
    IpamReachability reachability;

    private static final String DEFAULT_DEADLINE = "PT5S";
    private static final String DEFAULT_DUMP_DEADLINE = "PT120S";

    @ConfigProperty(name = "nexodus.ipam.deadline", defaultValue = DEFAULT_DEADLINE)
    Duration deadline;

    /** A dump reads a whole namespace: its deadline grows with the allocations, unlike every other call's. */
    @ConfigProperty(name = "nexodus.ipam.dump-deadline", defaultValue = DEFAULT_DUMP_DEADLINE)
    Duration dumpDeadline;

    /**
     * A client outside CDI, on a channel its caller made, with the defaults the configuration has when nothing sets
     * it (deadline, retries). The fleet simulator (bench/fleet) issues register-device's acquisitions through it for
     * its direct baseline, so that both sides of its ratio make the same calls the same way.
     */
    public static IpamClient over(io.grpc.Channel channel) {
        IpamClient client = new IpamClient();
        client.channel = io.nexodus.shared.ipam.api.v1.MutinyIpamServiceGrpc.newMutinyStub(channel);
        client.retry = IpamRetry.withDefaults();
        client.reachability = new IpamReachability();
        client.deadline = Duration.parse(DEFAULT_DEADLINE);
        client.dumpDeadline = Duration.parse(DEFAULT_DUMP_DEADLINE);
        return client;
    }

    /** The generated Mutiny stub with this call's deadline, for the calls without a helper (child prefixes...). */
    public MutinyIpamServiceStub stub() {
        return stub(deadline);
    }

    private MutinyIpamServiceStub stub(Duration callDeadline) {
        return channel.withDeadlineAfter(callDeadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Creates the namespace if missing (the server treats an existing one as success too). */
    public Uni<Void> ensureNamespace(String namespace) {
        return call(ipam -> ipam.createNamespace(CreateNamespaceRequest.newBuilder().setNamespace(namespace).build()))
                .replaceWithVoid();
    }

    public Uni<Void> deleteNamespace(String namespace) {
        return call(ipam -> ipam.deleteNamespace(DeleteNamespaceRequest.newBuilder().setNamespace(namespace).build()))
                .replaceWithVoid();
    }

    /** Creates a top-level prefix; fails when it exists or overlaps another one. */
    public Uni<Prefix> createPrefix(String namespace, String cidr) {
        return call(ipam -> ipam.createPrefix(CreatePrefixRequest.newBuilder().setCidr(cidr).setNamespace(namespace).build()))
                .map(r -> r.getPrefix());
    }

    /**
     * Creates the prefix, or accepts the identical top-level prefix that is already there. Our server
     * says ALREADY_EXISTS; go-ipam says INVALID_ARGUMENT for both "exists" and "overlaps", so, as
     * Nexodus did, a failed create is followed by a get that decides.
     */
    public Uni<Prefix> ensurePrefix(String namespace, String cidr) {
        String normalized;
        try {
            normalized = Cidrs.normalize(cidr);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(io.grpc.Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        }
        return createPrefix(namespace, normalized)
                .onFailure(IpamErrors::mayBeExistingPrefix).recoverWithUni(failure -> getPrefix(namespace, normalized)
                        // not there: the create's refusal stands; the get failing otherwise (e.g. IPAM's
                        // database gone for a moment) says nothing about the prefix, so that failure is the answer
                        .onFailure(IpamErrors::isNotFound).transform(ignored -> failure)
                        .flatMap(existing -> existing.getCidr().equals(normalized) && existing.getParentCidr().isEmpty()
                                ? Uni.createFrom().item(existing)
                                : Uni.createFrom().failure(failure)));
    }

    public Uni<Prefix> getPrefix(String namespace, String cidr) {
        return call(ipam -> ipam.getPrefix(GetPrefixRequest.newBuilder().setCidr(cidr).setNamespace(namespace).build()))
                .map(r -> r.getPrefix());
    }

    /** Deletes a prefix; refused by the server while addresses are allocated in it. */
    public Uni<Prefix> deletePrefix(String namespace, String cidr) {
        return call(ipam -> ipam.deletePrefix(DeletePrefixRequest.newBuilder().setCidr(cidr).setNamespace(namespace).build()))
                .map(r -> r.getPrefix());
    }

    /** The lowest free address of {@code prefixCidr}, as a bare address ("100.64.0.1"). */
    public Uni<String> acquireIp(String namespace, String prefixCidr) {
        return call(ipam -> ipam.acquireIP(AcquireIPRequest.newBuilder().setPrefixCidr(prefixCidr).setNamespace(namespace).build()))
                .map(r -> r.getIp().getIp());
    }

    /** Exactly {@code address} in {@code prefixCidr}, or a failure (already allocated, outside the prefix). */
    public Uni<String> acquireIp(String namespace, String prefixCidr, String address) {
        if (address == null || address.isBlank()) {
            return acquireIp(namespace, prefixCidr);
        }
        return call(ipam -> ipam.acquireIP(AcquireIPRequest.newBuilder().setPrefixCidr(prefixCidr).setIp(address)
                .setNamespace(namespace).build()))
                .map(r -> r.getIp().getIp());
    }

    /**
     * {@code address} if it is free, else the lowest free one: what nexd's {@code --request-ip} gets
     * (Nexodus's AssignSpecificTunnelIP falls back silently too).
     */
    public Uni<String> acquireIpPreferring(String namespace, String prefixCidr, String address) {
        // only a refusal of that address falls back; a missing namespace or prefix is the caller's to handle
        // (it creates them and asks again: falling back here could take the lowest address from a prefix
        // that appeared in between, and ignore the request)
        return acquireIp(namespace, prefixCidr, address)
                .onFailure(f -> IpamErrors.isPermanent(f) && !IpamErrors.isMissing(f))
                .recoverWithUni(ignored -> acquireIp(namespace, prefixCidr));
    }

    public Uni<Void> releaseIp(String namespace, String prefixCidr, String address) {
        return call(ipam -> ipam.releaseIP(ReleaseIPRequest.newBuilder().setPrefixCidr(prefixCidr).setIp(address)
                .setNamespace(namespace).build()))
                .replaceWithVoid();
    }

    public Uni<PrefixUsageResponse> usage(String namespace, String cidr) {
        return call(ipam -> ipam.prefixUsage(PrefixUsageRequest.newBuilder().setCidr(cidr).setNamespace(namespace).build()));
    }

    /**
     * Every prefix of the namespace with its allocated addresses, as go-ipam's JSON dump (an array of
     * {@code {"Cidr":…,"IPs":{"<address>":true,…},…}}; network and broadcast addresses are listed as taken).
     * An admin read: its size grows with the allocations.
     */
    public Uni<String> dump(String namespace) {
        return call(dumpDeadline, ipam -> ipam.dump(DumpRequest.newBuilder().setNamespace(namespace).build()))
                .map(r -> r.getDump());
    }

    /**
     * Succeeds when IPAM answers the cheapest call there is within {@code within}; not retried, since a
     * readiness probe wants the state now.
     */
    public Uni<Void> reachable(Duration within) {
        return observed(Uni.createFrom().deferred(() -> stub(within).listNamespaces(ListNamespacesRequest.getDefaultInstance())))
                .replaceWithVoid();
    }

    private <T> Uni<T> call(Function<MutinyIpamServiceStub, Uni<T>> rpc) {
        return call(deadline, rpc);
    }

    /** Deferred, so that each (re)try is a new call with a fresh deadline. */
    private <T> Uni<T> call(Duration callDeadline, Function<MutinyIpamServiceStub, Uni<T>> rpc) {
        return observed(retry.transientFailures(Uni.createFrom().<T>deferred(() -> rpc.apply(stub(callDeadline)))));
    }

    /** Every answer, or final failure, tells {@link IpamReachability} whether IPAM is there. */
    private <T> Uni<T> observed(Uni<T> call) {
        return call.invoke(reachability::answered).onFailure().invoke(reachability::failed);
    }
}

package io.nexodus.shared.devices;

import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.error.ApiException;
import io.nexodus.shared.ipam.IpamClient;
import io.nexodus.shared.ipam.IpamErrors;
import io.nexodus.shared.ipam.IpamNamespaces;
import io.nexodus.shared.model.TunnelIp;
import io.nexodus.shared.model.Vpc;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The IPAM side of a device: its IPv4 and IPv6 tunnel addresses and the prefixes it advertises
 * (Nexodus's CreateDevice, internal/handlers/device.go). Allocation is all or nothing: when any step fails, what the
 * earlier steps took is given back before the failure is reported, so a failed registration leaves no address behind
 * (Nexodus leaked them and repaired with internal/ipam/cmd/rebuild.go). The database write comes after, and its own
 * failure is compensated by the caller with {@link #release}.
 */
@ApplicationScoped
public class DeviceAddresses {

    private static final Logger LOG = Logger.getLogger(DeviceAddresses.class);

    @Inject
    IpamClient ipam;

    /**
     * Outside CDI, on an {@link IpamClient#over} client: the fleet simulator's direct baseline (bench/fleet) allocates
     * through the very code register-device runs.
     */
    public static DeviceAddresses over(IpamClient ipam) {
        DeviceAddresses addresses = new DeviceAddresses();
        addresses.ipam = ipam;
        return addresses;
    }

    /** What a device holds in IPAM. */
    public record Allocation(String namespace, TunnelIp ipv4, TunnelIp ipv6, List<String> prefixes) {

        public List<String> allowedIps(boolean relay) {
            // relays get bare addresses (Nexodus's quirk; nexd computes relay routes itself)
            return relay ? List.of(ipv4.address(), ipv6.address())
                    : List.of(ipv4.address() + "/32", ipv6.address() + "/128");
        }
    }

    /** The IPAM namespace of a VPC: its own when it has private CIDRs, else the shared one. */
    public static String namespaceOf(Vpc vpc) {
        return vpc.privateCidr() ? IpamNamespaces.of(vpc.id()) : IpamNamespaces.SHARED;
    }

    /** Whether a CIDR is registered in IPAM: default routes are not (they would overlap everything). */
    public static boolean registersPrefix(String cidr) {
        return !cidr.equals("0.0.0.0/0") && !cidr.equals("::/0");
    }

    /**
     * @param requestedIpv4 an address the device asks for, honoured when free, else the lowest free one
     * @param advertised    normalized CIDRs the device routes for
     */
    public Uni<Allocation> allocate(Vpc vpc, String requestedIpv4, List<String> advertised) {
        String ns = namespaceOf(vpc);
        List<String> prefixes = advertised.stream().filter(DeviceAddresses::registersPrefix).toList();
        // IPv4 and IPv6 are asked for at once; whichever succeeded is given back if the other fails
        Uni<Attempt> v4 = attempt(acquire(vpc, ns, vpc.ipv4Cidr(), requestedIpv4));
        Uni<Attempt> v6 = attempt(acquire(vpc, ns, vpc.ipv6Cidr(), null));
        return Uni.combine().all().unis(v4, v6).asTuple()
                .flatMap(both -> {
                    Attempt ipv4 = both.getItem1();
                    Attempt ipv6 = both.getItem2();
                    if (ipv4.failure() != null || ipv6.failure() != null) {
                        Throwable cause = ipv4.failure() != null ? ipv4.failure() : ipv6.failure();
                        return releaseIp(ns, ipv4.ip()).call(() -> releaseIp(ns, ipv6.ip()))
                                .flatMap(released -> Uni.createFrom().<Allocation>failure(cause));
                    }
                    return createPrefixes(ns, prefixes)
                            .onFailure().call(f -> releaseIp(ns, ipv4.ip()).call(() -> releaseIp(ns, ipv6.ip())))
                            .map(created -> new Allocation(ns, ipv4.ip(), ipv6.ip(), created));
                })
                .onFailure().transform(DeviceAddresses::toApiError);
    }

    /** One half of a parallel allocation: an address, or why there is none. */
    private record Attempt(TunnelIp ip, Throwable failure) {
    }

    private static Uni<Attempt> attempt(Uni<TunnelIp> acquisition) {
        return acquisition.map(ip -> new Attempt(ip, null)).onFailure().recoverWithItem(f -> new Attempt(null, f));
    }

    /** Gives back everything of an allocation; failures are logged, never thrown (best effort after a failure). */
    public Uni<Void> release(Allocation allocation) {
        return releaseIp(allocation.namespace(), allocation.ipv4())
                .call(() -> releaseIp(allocation.namespace(), allocation.ipv6()))
                .call(() -> deletePrefixes(allocation.namespace(), allocation.prefixes()));
    }

    /** Gives back everything a device holds (after it was deleted or moved away). */
    public Uni<Void> releaseAll(Vpc vpc, io.nexodus.shared.model.Device device) {
        return release(new Allocation(namespaceOf(vpc), first(device.ipv4TunnelIps()), first(device.ipv6TunnelIps()),
                device.advertiseCidrs()));
    }

    private static TunnelIp first(List<TunnelIp> ips) {
        return ips.isEmpty() ? null : ips.get(0);
    }

    /** Registers newly advertised CIDRs (all or nothing). */
    public Uni<List<String>> addPrefixes(String namespace, List<String> cidrs) {
        return createPrefixes(namespace, cidrs.stream().filter(DeviceAddresses::registersPrefix).toList())
                .onFailure().transform(DeviceAddresses::toApiError);
    }

    public Uni<Void> deletePrefixes(String namespace, List<String> cidrs) {
        return Multi.createFrom().iterable(cidrs.stream().filter(DeviceAddresses::registersPrefix).toList())
                .onItem().transformToUniAndConcatenate(cidr -> ipam.deletePrefix(namespace, cidr).replaceWithVoid()
                        .onFailure().recoverWithItem(f -> {
                            LOG.warnf("IPAM prefix %s in %s not deleted: %s", cidr, namespace, f.getMessage());
                            return null;
                        }))
                .collect().last().replaceWithVoid();
    }

    private Uni<TunnelIp> acquire(Vpc vpc, String ns, String prefix, String requested) {
        Uni<String> attempt = requested == null ? ipam.acquireIp(ns, prefix) : ipam.acquireIpPreferring(ns, prefix, requested);
        // missing namespace: ours says NOT_FOUND, go-ipam INVALID_ARGUMENT "NamespaceDoesNotExist"
        return attempt.onFailure(IpamErrors::isMissing).recoverWithUni(f -> prepare(vpc, ns)
                        .flatMap(ignored -> requested == null ? ipam.acquireIp(ns, prefix)
                                : ipam.acquireIpPreferring(ns, prefix, requested)))
                .map(address -> new TunnelIp(address, prefix));
    }

    /**
     * A VPC's namespace and prefixes are created when the VPC is; the shared namespace of default VPCs
     * is created on first use, which is found out by the NOT_FOUND of the first allocation (so the
     * common path costs no extra call).
     */
    public Uni<Void> prepare(Vpc vpc, String ns) {
        return ipam.ensureNamespace(ns)
                .call(() -> ipam.ensurePrefix(ns, vpc.ipv4Cidr()))
                .call(() -> ipam.ensurePrefix(ns, vpc.ipv6Cidr()))
                .replaceWithVoid();
    }

    private Uni<List<String>> createPrefixes(String ns, List<String> cidrs) {
        List<String> created = new ArrayList<>();
        return Multi.createFrom().iterable(cidrs)
                .onItem().transformToUniAndConcatenate(cidr -> ipam.createPrefix(ns, cidr).invoke(p -> created.add(cidr)))
                .collect().last()
                .replaceWith(() -> List.copyOf(created))
                .onFailure().call(f -> deletePrefixes(ns, created));
    }

    private Uni<Void> releaseIp(String ns, TunnelIp ip) {
        if (ip == null) {
            return Uni.createFrom().voidItem();
        }
        // giving back is what keeps IPAM and the devices in step: retried on any failure but "not found"
        // (the IPAM server itself may have lost its database connection for a moment)
        return ipam.releaseIp(ns, ip.cidr(), ip.address())
                .onFailure(f -> !IpamErrors.isNotFound(f)).retry().withBackOff(java.time.Duration.ofMillis(200)).atMost(4)
                .onFailure().recoverWithItem(f -> {
                    LOG.warnf("IPAM address %s of %s in %s not released: %s", ip.address(), ip.cidr(), ns, f.getMessage());
                    return null;
                });
    }

    /** IPAM's answer in the caller's terms. */
    static Throwable toApiError(Throwable failure) {
        if (failure instanceof ApiException) {
            return failure;
        }
        if (IpamErrors.isExhausted(failure)) {
            return ApiErrors.notAllowed("no address left in the VPC's prefix");
        }
        if (IpamErrors.isTransient(failure)) {
            return ApiErrors.unavailable("IPAM is unavailable, retry later");
        }
        String description = IpamErrors.status(failure).getDescription();
        io.grpc.Status.Code code = IpamErrors.code(failure);
        if (code == io.grpc.Status.Code.ALREADY_EXISTS || code == io.grpc.Status.Code.INVALID_ARGUMENT) {
            // the only calls that can be refused so are the advertised prefixes' (overlap, bad prefix)
            return ApiErrors.invalidField("advertise_cidrs", description == null ? "refused by IPAM" : description);
        }
        return new ApiException(502, new io.nexodus.shared.error.ErrorBody("IPAM failed", null,
                code + (description == null ? "" : ": " + description), null, null, null));
    }
}

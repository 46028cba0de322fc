package io.nexodus.ipam;

import io.nexodus.shared.ipam.api.v1.AcquireChildPrefixRequest;
import io.nexodus.shared.ipam.api.v1.AcquireChildPrefixResponse;
import io.nexodus.shared.ipam.api.v1.AcquireIPRequest;
import io.nexodus.shared.ipam.api.v1.AcquireIPResponse;
import io.nexodus.shared.ipam.api.v1.CreateNamespaceRequest;
import io.nexodus.shared.ipam.api.v1.CreateNamespaceResponse;
import io.nexodus.shared.ipam.api.v1.CreatePrefixRequest;
import io.nexodus.shared.ipam.api.v1.CreatePrefixResponse;
import io.nexodus.shared.ipam.api.v1.DeleteNamespaceRequest;
import io.nexodus.shared.ipam.api.v1.DeleteNamespaceResponse;
import io.nexodus.shared.ipam.api.v1.DeletePrefixRequest;
import io.nexodus.shared.ipam.api.v1.DeletePrefixResponse;
import io.nexodus.shared.ipam.api.v1.DumpRequest;
import io.nexodus.shared.ipam.api.v1.DumpResponse;
import io.nexodus.shared.ipam.api.v1.GetPrefixRequest;
import io.nexodus.shared.ipam.api.v1.GetPrefixResponse;
import io.nexodus.shared.ipam.api.v1.IP;
import io.nexodus.shared.ipam.api.v1.IpamService;
import io.nexodus.shared.ipam.api.v1.ListNamespacesRequest;
import io.nexodus.shared.ipam.api.v1.ListNamespacesResponse;
import io.nexodus.shared.ipam.api.v1.ListPrefixesRequest;
import io.nexodus.shared.ipam.api.v1.ListPrefixesResponse;
import io.nexodus.shared.ipam.api.v1.LoadRequest;
import io.nexodus.shared.ipam.api.v1.LoadResponse;
import io.nexodus.shared.ipam.api.v1.PrefixUsageRequest;
import io.nexodus.shared.ipam.api.v1.PrefixUsageResponse;
import io.nexodus.shared.ipam.api.v1.ReleaseChildPrefixRequest;
import io.nexodus.shared.ipam.api.v1.ReleaseChildPrefixResponse;
import io.nexodus.shared.ipam.api.v1.ReleaseIPRequest;
import io.nexodus.shared.ipam.api.v1.ReleaseIPResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.function.Supplier;

/**
 * go-ipam's {@code api.v1.IpamService} on PostgreSQL. Served on the HTTP port (h2c), so it runs as a
 * Knative Service. This class only translates messages; each operation lives in its own class.
 */
@GrpcService
public class IpamGrpcService implements IpamService {

    @Inject
    Namespaces namespaces;
    @Inject
    Prefixes prefixes;
    @Inject
    ChildPrefixes childPrefixes;
    @Inject
    AddressAllocator addresses;
    @Inject
    PrefixUsageQuery usage;
    @Inject
    DumpAndLoad dumpAndLoad;

    @Override
    public Uni<CreatePrefixResponse> createPrefix(CreatePrefixRequest request) {
        return run(() -> prefixes.create(ns(request.hasNamespace(), request.getNamespace()), Cidr.parse(request.getCidr()))
                .map(p -> CreatePrefixResponse.newBuilder().setPrefix(p.toMessage()).build()));
    }

    @Override
    public Uni<DeletePrefixResponse> deletePrefix(DeletePrefixRequest request) {
        return run(() -> prefixes.delete(ns(request.hasNamespace(), request.getNamespace()), Cidr.parse(request.getCidr()))
                .map(p -> DeletePrefixResponse.newBuilder().setPrefix(p.toMessage()).build()));
    }

    @Override
    public Uni<GetPrefixResponse> getPrefix(GetPrefixRequest request) {
        return run(() -> prefixes.get(ns(request.hasNamespace(), request.getNamespace()), Cidr.parse(request.getCidr()))
                .map(p -> GetPrefixResponse.newBuilder().setPrefix(p.toMessage()).build()));
    }

    @Override
    public Uni<ListPrefixesResponse> listPrefixes(ListPrefixesRequest request) {
        return run(() -> prefixes.list(ns(request.hasNamespace(), request.getNamespace())).map(list -> {
            ListPrefixesResponse.Builder response = ListPrefixesResponse.newBuilder();
            list.forEach(p -> response.addPrefixes(p.toMessage()));
            return response.build();
        }));
    }

    @Override
    public Uni<PrefixUsageResponse> prefixUsage(PrefixUsageRequest request) {
        return run(() -> usage.usage(ns(request.hasNamespace(), request.getNamespace()), Cidr.parse(request.getCidr())));
    }

    @Override
    public Uni<AcquireChildPrefixResponse> acquireChildPrefix(AcquireChildPrefixRequest request) {
        return run(() -> childPrefixes.acquire(ns(request.hasNamespace(), request.getNamespace()),
                Cidr.parse(request.getCidr()), request.getLength(),
                request.hasChildCidr() && !request.getChildCidr().isBlank() ? request.getChildCidr() : null)
                .map(p -> AcquireChildPrefixResponse.newBuilder().setPrefix(p.toMessage()).build()));
    }

    @Override
    public Uni<ReleaseChildPrefixResponse> releaseChildPrefix(ReleaseChildPrefixRequest request) {
        return run(() -> childPrefixes.release(ns(request.hasNamespace(), request.getNamespace()), Cidr.parse(request.getCidr()))
                .map(p -> ReleaseChildPrefixResponse.newBuilder().setPrefix(p.toMessage()).build()));
    }

    @Override
    public Uni<AcquireIPResponse> acquireIP(AcquireIPRequest request) {
        String namespace = ns(request.hasNamespace(), request.getNamespace());
        return run(() -> {
            Cidr cidr = Cidr.parse(request.getPrefixCidr());
            Uni<String> acquired = request.hasIp() && !request.getIp().isBlank()
                    ? addresses.acquireSpecific(namespace, cidr, request.getIp())
                    : addresses.acquireLowest(namespace, cidr);
            return acquired.map(ip -> {
                AcquireIPResponse.Builder response = AcquireIPResponse.newBuilder()
                        .setIp(IP.newBuilder().setIp(ip).setParentPrefix(cidr.toString()));
                if (request.hasNamespace()) {
                    response.setNamespace(request.getNamespace());
                }
                return response.build();
            });
        });
    }

    @Override
    public Uni<ReleaseIPResponse> releaseIP(ReleaseIPRequest request) {
        return run(() -> {
            Cidr cidr = Cidr.parse(request.getPrefixCidr());
            return addresses.release(ns(request.hasNamespace(), request.getNamespace()), cidr, request.getIp())
                    .map(ip -> ReleaseIPResponse.newBuilder()
                            .setIp(IP.newBuilder().setIp(ip).setParentPrefix(cidr.toString())).build());
        });
    }

    @Override
    public Uni<DumpResponse> dump(DumpRequest request) {
        return run(() -> dumpAndLoad.dump(ns(request.hasNamespace(), request.getNamespace()))
                .map(json -> DumpResponse.newBuilder().setDump(json).build()));
    }

    @Override
    public Uni<LoadResponse> load(LoadRequest request) {
        return run(() -> dumpAndLoad.load(ns(request.hasNamespace(), request.getNamespace()), request.getDump())
                .map(x -> LoadResponse.getDefaultInstance()));
    }

    @Override
    public Uni<CreateNamespaceResponse> createNamespace(CreateNamespaceRequest request) {
        return run(() -> namespaces.create(request.getNamespace()).map(x -> CreateNamespaceResponse.getDefaultInstance()));
    }

    @Override
    public Uni<ListNamespacesResponse> listNamespaces(ListNamespacesRequest request) {
        return run(() -> namespaces.list().map(names -> ListNamespacesResponse.newBuilder().addAllNamespace(names).build()));
    }

    @Override
    public Uni<DeleteNamespaceResponse> deleteNamespace(DeleteNamespaceRequest request) {
        return run(() -> namespaces.delete(request.getNamespace()).map(x -> DeleteNamespaceResponse.getDefaultInstance()));
    }

    private static String ns(boolean present, String namespace) {
        return Namespaces.orRoot(present, namespace);
    }

    /** Validation failures thrown while building the call become failed Unis; everything else a status. */
    private static <T> Uni<T> run(Supplier<Uni<? extends T>> operation) {
        return Uni.createFrom().<T>deferred(operation).onFailure().transform(IpamFailure::toStatus);
    }
}

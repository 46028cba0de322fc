package io.nexodus.ipam;

import static io.nexodus.ipam.Calls.assertFails;
import static io.nexodus.ipam.Calls.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status.Code;
import io.nexodus.shared.ipam.IpamClient;
import io.nexodus.shared.ipam.api.v1.CreatePrefixRequest;
import io.nexodus.shared.ipam.api.v1.GetPrefixRequest;
import io.nexodus.shared.ipam.api.v1.ListNamespacesRequest;
import io.nexodus.shared.ipam.api.v1.ListPrefixesRequest;
import io.nexodus.shared.ipam.api.v1.Prefix;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Namespaces and top-level prefixes over real gRPC against a real PostgreSQL. */
@QuarkusTest
@WithTestResource(IpamPostgresTestResource.class)
class NamespacesAndPrefixesTest {

    @Inject
    IpamClient ipam;

    @Test
    void namespacesAreCreatedIdempotentlyListedAndDeleted() {
        await(ipam.ensureNamespace("ns_a"));
        await(ipam.ensureNamespace("ns_a"));
        List<String> names = await(ipam.stub().listNamespaces(ListNamespacesRequest.getDefaultInstance())).getNamespaceList();
        assertTrue(names.contains("ns_a") && names.contains("root"), names::toString);

        await(ipam.createPrefix("ns_a", "10.1.0.0/24"));
        await(ipam.acquireIp("ns_a", "10.1.0.0/24"));
        await(ipam.deleteNamespace("ns_a"));
        assertFalse(await(ipam.stub().listNamespaces(ListNamespacesRequest.getDefaultInstance())).getNamespaceList().contains("ns_a"));
        assertFails(Code.NOT_FOUND, "NamespaceDoesNotExist", ipam.deleteNamespace("ns_a"));
        assertFails(Code.NOT_FOUND, "NamespaceDoesNotExist", ipam.createPrefix("ns_a", "10.1.0.0/24"));
        assertFails(Code.INVALID_ARGUMENT, "root", ipam.deleteNamespace("root"));
    }

    @Test
    void prefixesAreCreatedReadListedAndDeleted() {
        await(ipam.ensureNamespace("ns_b"));
        Prefix created = await(ipam.createPrefix("ns_b", "192.168.1.7/24"));
        assertEquals("192.168.1.0/24", created.getCidr(), "host bits are dropped");
        assertEquals("", created.getParentCidr());
        await(ipam.createPrefix("ns_b", "fd00:1::/64"));

        assertEquals("fd00:1::/64", await(ipam.getPrefix("ns_b", "fd00:1::/64")).getCidr());
        List<Prefix> listed = await(ipam.stub().listPrefixes(ListPrefixesRequest.newBuilder().setNamespace("ns_b").build()))
                .getPrefixesList();
        assertEquals(List.of("192.168.1.0/24", "fd00:1::/64"), listed.stream().map(Prefix::getCidr).toList());

        await(ipam.deletePrefix("ns_b", "fd00:1::/64"));
        assertFails(Code.NOT_FOUND, "prefix:\"fd00:1::/64\" not found", ipam.getPrefix("ns_b", "fd00:1::/64"));
        assertFails(Code.NOT_FOUND, "not found", ipam.deletePrefix("ns_b", "fd00:1::/64"));
    }

    @Test
    void aMissingNamespaceMeansRoot() {
        await(ipam.stub().createPrefix(CreatePrefixRequest.newBuilder().setCidr("172.16.0.0/16").build()));
        assertEquals("172.16.0.0/16",
                await(ipam.stub().getPrefix(GetPrefixRequest.newBuilder().setCidr("172.16.0.0/16").build())).getPrefix().getCidr());
        assertEquals("172.16.0.0/16", await(ipam.getPrefix("root", "172.16.0.0/16")).getCidr());
    }

    @Test
    void overlappingPrefixesAreRejectedWithinANamespaceOnly() {
        await(ipam.ensureNamespace("ns_c"));
        await(ipam.ensureNamespace("ns_d"));
        await(ipam.createPrefix("ns_c", "100.64.0.0/10"));
        assertFails(Code.INVALID_ARGUMENT, "overlaps 100.64.0.0/10", ipam.createPrefix("ns_c", "100.64.8.0/24"));
        assertFails(Code.INVALID_ARGUMENT, "overlaps 100.64.0.0/10", ipam.createPrefix("ns_c", "100.0.0.0/8"));
        assertFails(Code.ALREADY_EXISTS, "100.64.0.0/10", ipam.createPrefix("ns_c", "100.64.0.0/10"));
        // another namespace is another address space
        await(ipam.createPrefix("ns_d", "100.64.8.0/24"));
        // "ensure" accepts the identical prefix, not an overlapping one
        assertEquals("100.64.0.0/10", await(ipam.ensurePrefix("ns_c", "100.64.0.0/10")).getCidr());
        assertFails(Code.INVALID_ARGUMENT, "overlaps", ipam.ensurePrefix("ns_c", "100.64.8.0/24"));
    }

    @Test
    void aPrefixWithAddressesCannotBeDeleted() {
        await(ipam.ensureNamespace("ns_e"));
        await(ipam.createPrefix("ns_e", "10.9.0.0/24"));
        String ip = await(ipam.acquireIp("ns_e", "10.9.0.0/24"));
        assertFails(Code.FAILED_PRECONDITION, "has ips", ipam.deletePrefix("ns_e", "10.9.0.0/24"));
        await(ipam.releaseIp("ns_e", "10.9.0.0/24", ip));
        await(ipam.deletePrefix("ns_e", "10.9.0.0/24"));
    }

    @Test
    void badInputIsAnInvalidArgument() {
        assertFails(Code.INVALID_ARGUMENT, "not a CIDR", ipam.createPrefix("root", "10.0.0.0"));
        assertFails(Code.INVALID_ARGUMENT, "not a CIDR", ipam.createPrefix("root", "10.0.0.300/24"));
        assertFails(Code.INVALID_ARGUMENT, "out of range", ipam.createPrefix("root", "10.0.0.0/33"));
        assertFails(Code.INVALID_ARGUMENT, "not a CIDR", ipam.getPrefix("root", "example.com/24"));
    }
}

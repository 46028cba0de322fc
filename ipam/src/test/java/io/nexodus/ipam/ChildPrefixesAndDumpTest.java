package io.nexodus.ipam;

import static io.nexodus.ipam.Calls.assertFails;
import static io.nexodus.ipam.Calls.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status.Code;
import io.nexodus.shared.ipam.IpamClient;
import io.nexodus.shared.ipam.api.v1.AcquireChildPrefixRequest;
import io.nexodus.shared.ipam.api.v1.DumpRequest;
import io.nexodus.shared.ipam.api.v1.LoadRequest;
import io.nexodus.shared.ipam.api.v1.Prefix;
import io.nexodus.shared.ipam.api.v1.PrefixUsageResponse;
import io.nexodus.shared.ipam.api.v1.ReleaseChildPrefixRequest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Child prefixes, Dump and Load over real gRPC against a real PostgreSQL. */
@QuarkusTest
@WithTestResource(IpamPostgresTestResource.class)
class ChildPrefixesAndDumpTest {

    @Inject
    IpamClient ipam;

    private Uni<Prefix> child(String namespace, String parent, int length, String specific) {
        AcquireChildPrefixRequest.Builder request = AcquireChildPrefixRequest.newBuilder()
                .setCidr(parent).setLength(length).setNamespace(namespace);
        if (specific != null) {
            request.setChildCidr(specific);
        }
        return ipam.stub().acquireChildPrefix(request.build()).map(r -> r.getPrefix());
    }

    private Uni<Prefix> release(String namespace, String cidr) {
        return ipam.stub().releaseChildPrefix(ReleaseChildPrefixRequest.newBuilder().setCidr(cidr).setNamespace(namespace).build())
                .map(r -> r.getPrefix());
    }

    @Test
    void childPrefixesAreCarvedLowestFirstAndReleased() {
        await(ipam.ensureNamespace("kids"));
        await(ipam.createPrefix("kids", "10.0.0.0/16"));
        Prefix first = await(child("kids", "10.0.0.0/16", 24, null));
        assertEquals("10.0.0.0/24", first.getCidr());
        assertEquals("10.0.0.0/16", first.getParentCidr());
        assertEquals("10.0.2.0/23", await(child("kids", "10.0.0.0/16", 23, null)).getCidr());
        assertEquals("10.0.1.0/24", await(child("kids", "10.0.0.0/16", 24, null)).getCidr());
        assertEquals("10.0.128.0/17", await(child("kids", "10.0.0.0/16", 17, "10.0.128.0/17")).getCidr());
        assertFails(Code.ALREADY_EXISTS, "AlreadyAllocatedError", child("kids", "10.0.0.0/16", 24, "10.0.1.0/24"));
        assertFails(Code.INVALID_ARGUMENT, "length", child("kids", "10.0.0.0/16", 8, null));
        assertFails(Code.RESOURCE_EXHAUSTED, "NoPrefixAvailableError", child("kids", "10.0.0.0/16", 17, null));

        // a child is a prefix: it hands out addresses; its parent hands out prefixes only
        assertEquals("10.0.0.1", await(ipam.acquireIp("kids", "10.0.0.0/24")));
        assertFails(Code.FAILED_PRECONDITION, "childprefixes", ipam.acquireIp("kids", "10.0.0.0/16"));
        assertFails(Code.FAILED_PRECONDITION, "childprefixes", ipam.deletePrefix("kids", "10.0.0.0/16"));
        assertFails(Code.FAILED_PRECONDITION, "has ips", release("kids", "10.0.0.0/24"));

        PrefixUsageResponse usage = await(ipam.usage("kids", "10.0.0.0/16"));
        assertEquals(4, usage.getAcquiredPrefixes());
        assertEquals(List.of("10.0.4.0/22", "10.0.8.0/21", "10.0.16.0/20", "10.0.32.0/19", "10.0.64.0/18"),
                usage.getAvailablePrefixesList());

        await(ipam.releaseIp("kids", "10.0.0.0/24", "10.0.0.1"));
        assertEquals("10.0.0.0/24", await(release("kids", "10.0.0.0/24")).getCidr());
        assertFails(Code.NOT_FOUND, "not found", release("kids", "10.0.0.0/24"));
        assertFails(Code.NOT_FOUND, "not found", release("kids", "10.0.0.0/16"));
        assertEquals("10.0.0.0/24", await(child("kids", "10.0.0.0/16", 24, null)).getCidr());

        // v6 children
        await(ipam.createPrefix("kids", "fd00::/48"));
        assertEquals("fd00::/64", await(child("kids", "fd00::/48", 64, null)).getCidr());
        assertEquals("fd00:0:0:1::/64", await(child("kids", "fd00::/48", 64, null)).getCidr());
        // a parent with addresses hands out no prefixes
        await(ipam.createPrefix("kids", "10.1.0.0/16"));
        await(ipam.acquireIp("kids", "10.1.0.0/16"));
        assertFails(Code.FAILED_PRECONDITION, "has ips", child("kids", "10.1.0.0/16", 24, null));
    }

    @Test
    void aDumpLoadsIntoAnEmptyNamespace() {
        await(ipam.ensureNamespace("from"));
        await(ipam.createPrefix("from", "10.8.0.0/24"));
        await(ipam.acquireIp("from", "10.8.0.0/24"));
        await(ipam.acquireIp("from", "10.8.0.0/24"));
        await(ipam.acquireIp("from", "10.8.0.0/24", "10.8.0.9"));
        await(ipam.createPrefix("from", "10.9.0.0/16"));
        await(child("from", "10.9.0.0/16", 24, null));
        String dump = await(ipam.stub().dump(DumpRequest.newBuilder().setNamespace("from").build())).getDump();
        assertTrue(dump.contains("\"10.8.0.9\":true") && dump.contains("\"Cidr\":\"10.9.0.0/24\""), dump);

        await(ipam.ensureNamespace("to"));
        await(ipam.stub().load(LoadRequest.newBuilder().setNamespace("to").setDump(dump).build()));
        assertEquals("10.9.0.0/16", await(ipam.getPrefix("to", "10.9.0.0/24")).getParentCidr());
        assertFails(Code.ALREADY_EXISTS, "AlreadyAllocatedError", ipam.acquireIp("to", "10.8.0.0/24", "10.8.0.9"));
        assertEquals("10.8.0.3", await(ipam.acquireIp("to", "10.8.0.0/24")));
        assertFails(Code.FAILED_PRECONDITION, "prefixes exist",
                ipam.stub().load(LoadRequest.newBuilder().setNamespace("to").setDump(dump).build()));
    }
}

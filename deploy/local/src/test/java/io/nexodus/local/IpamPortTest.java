package io.nexodus.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class IpamPortTest {

    @Test
    void aPortAnotherProcessHoldsStopsTheStartNamingIpamPort() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> IpamPort.choose(Integer.toString(other.getLocalPort())));
            assertTrue(refused.getMessage().contains("IPAM_PORT " + other.getLocalPort() + " is taken"),
                    refused.getMessage());
        }
    }

    @Test
    void withoutIpamPortAFreePortIsChosenEachTime() throws Exception {
        try (ServerSocket first = new ServerSocket()) {
            first.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), IpamPort.choose(null)));
            int second = IpamPort.choose("");
            assertNotEquals(first.getLocalPort(), second, "a second all-in-one gets its own IPAM port");
        }
    }

    @Test
    void aFreeConfiguredPortIsKept() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        assertEquals(free, IpamPort.choose(" " + free + " "));
        assertThrows(IllegalArgumentException.class, () -> IpamPort.choose("ninety"));
    }
}

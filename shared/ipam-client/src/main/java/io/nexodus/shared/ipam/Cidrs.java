package io.nexodus.shared.ipam;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Set;

/**
 * CIDR normalization as Nexodus did before calling IPAM ({@code 192.168.1.1/24} → {@code 192.168.1.0/24}),
 * so that "already exists" comparisons are exact. Parsing is Guava's (literals only, never DNS).
 */
public final class Cidrs {

    private Cidrs() {
    }

    public static String normalize(String cidr) {
        Parsed parsed = parse(cidr);
        return format(parsed.network(), parsed.bits()) + "/" + parsed.length();
    }

    /**
     * The addresses of a prefix that IPAM never hands out and lists as taken in a dump (go-ipam's
     * rule): the network address, and for IPv4 the broadcast address too.
     */
    public static Set<String> reservedAddresses(String cidr) {
        Parsed parsed = parse(cidr);
        String network = format(parsed.network(), parsed.bits());
        if (parsed.bits() != 32) {
            return Set.of(network);
        }
        BigInteger broadcast = parsed.network().or(hostMask(parsed.bits(), parsed.length()));
        return Set.of(network, format(broadcast, parsed.bits()));
    }

    private record Parsed(BigInteger network, int length, int bits) {
    }

    private static Parsed parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR: " + cidr);
        }
        InetAddress address = InetAddresses.forString(cidr.substring(0, slash).trim());
        int bits = address.getAddress().length * 8;
        int length = Integer.parseInt(cidr.substring(slash + 1).trim());
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length out of range: " + cidr);
        }
        BigInteger value = new BigInteger(1, address.getAddress());
        return new Parsed(value.andNot(hostMask(bits, length)), length, bits);
    }

    private static BigInteger hostMask(int bits, int length) {
        return BigInteger.ONE.shiftLeft(bits - length).subtract(BigInteger.ONE);
    }

    private static String format(BigInteger value, int bits) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[bits / 8];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddresses.toAddrString(InetAddress.getByAddress(out));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

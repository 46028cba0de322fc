package io.nexodus.shared.ipam;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.InetAddress;

/**
 * CIDR normalization as Nexodus did before calling IPAM ({@code 192.168.1.1/24} → {@code 192.168.1.0/24}),
 * so that "already exists" comparisons are exact. Parsing is Guava's (literals only, never DNS).
 */
public final class Cidrs {

    private Cidrs() {
    }

    public static String normalize(String cidr) {
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
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits - length).subtract(BigInteger.ONE));
        byte[] raw = value.and(mask).toByteArray();
        byte[] out = new byte[bits / 8];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        return InetAddresses.toAddrString(toInet(out)) + "/" + length;
    }

    private static InetAddress toInet(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

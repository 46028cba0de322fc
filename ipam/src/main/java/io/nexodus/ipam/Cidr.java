package io.nexodus.ipam;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A prefix as numbers: network address, length and family width. Parsing is Guava's (IP literals
 * only, never a DNS lookup); arithmetic is BigInteger so IPv4 and IPv6 share one code path.
 * A CIDR with host bits set is taken as its network ({@code 192.168.1.1/24} → {@code 192.168.1.0/24}).
 */
public record Cidr(BigInteger network, int length, int bits) {

    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw IpamFailure.invalid("cidr is empty");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw IpamFailure.invalid("\"" + text + "\" is not a CIDR (no prefix length)");
        }
        BigInteger value;
        int bits;
        try {
            InetAddress address = InetAddresses.forString(text.substring(0, slash).trim());
            bits = address.getAddress().length * 8;
            value = new BigInteger(1, address.getAddress());
        } catch (IllegalArgumentException e) {
            throw IpamFailure.invalid("\"" + text + "\" is not a CIDR: bad address");
        }
        int length;
        try {
            length = Integer.parseInt(text.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw IpamFailure.invalid("\"" + text + "\" is not a CIDR: bad prefix length");
        }
        if (length < 0 || length > bits) {
            throw IpamFailure.invalid("\"" + text + "\" is not a CIDR: prefix length out of range");
        }
        return new Cidr(value.andNot(hostMask(bits, length)), length, bits);
    }

    /** A bare address of this prefix's family, as a number; invalid input is INVALID_ARGUMENT. */
    public BigInteger parseAddress(String text) {
        try {
            InetAddress address = InetAddresses.forString(text.trim());
            if (address.getAddress().length * 8 != bits) {
                throw IpamFailure.invalid("ip \"" + text + "\" is not of the family of prefix " + this);
            }
            return new BigInteger(1, address.getAddress());
        } catch (IllegalArgumentException e) {
            throw IpamFailure.invalid("\"" + text + "\" is not an ip address");
        }
    }

    public boolean isIpv4() {
        return bits == 32;
    }

    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(bits - length);
    }

    public BigInteger last() {
        return network.add(size()).subtract(BigInteger.ONE);
    }

    /** Network address always, broadcast for IPv4 too: go-ipam marks them used when the prefix is made. */
    public BigInteger firstUsable() {
        return network.add(BigInteger.ONE);
    }

    public BigInteger lastUsable() {
        return isIpv4() ? last().subtract(BigInteger.ONE) : last();
    }

    public boolean hasUsable() {
        return firstUsable().compareTo(lastUsable()) <= 0;
    }

    /** How many addresses creating the prefix marks as used (1 or 2: network, IPv4 broadcast). */
    public long reservedCount() {
        return isIpv4() && length < 32 ? 2 : 1;
    }

    public boolean contains(BigInteger address) {
        return address.compareTo(network) >= 0 && address.compareTo(last()) <= 0;
    }

    public boolean isReserved(BigInteger address) {
        return address.equals(network) || (isIpv4() && address.equals(last()));
    }

    public boolean contains(Cidr other) {
        return other.bits == bits && other.length >= length && contains(other.network);
    }

    public String format(BigInteger address) {
        return formatAddress(address, bits);
    }

    public static String formatAddress(BigInteger address, int bits) {
        byte[] raw = address.toByteArray();
        byte[] out = new byte[bits / 8];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddresses.toAddrString(InetAddress.getByAddress(out));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads an address as PostgreSQL's host() prints it. */
    public static BigInteger addressValue(String text) {
        return new BigInteger(1, InetAddresses.forString(text).getAddress());
    }

    private static BigInteger hostMask(int bits, int length) {
        return BigInteger.ONE.shiftLeft(bits - length).subtract(BigInteger.ONE);
    }

    @Override
    public String toString() {
        return format(network) + "/" + length;
    }
}

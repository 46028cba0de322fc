package io.nexodus.fn.securitygroups;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.InetAddress;

/**
 * The address forms a rule's {@code ip_ranges} entry may take (Nexodus's internal/handlers/security_group.go): a CIDR
 * ({@code 10.0.0.0/8}), a single address, or a range {@code a-b} of one family with {@code a ≤ b}; IPv4 or IPv6; the
 * empty string means any. Addresses are parsed as literals (Guava), never looked up in DNS; zones
 * ({@code fe80::1%eth0}) are refused as Go's parser refuses them.
 */
final class IpRanges {

    private IpRanges() {
    }

    static boolean isValid(String range) {
        if (range.isEmpty()) {
            return true;
        }
        int slash = range.indexOf('/');
        if (slash >= 0) {
            String address = range.substring(0, slash);
            String bits = range.substring(slash + 1);
            return isAddress(address) && bits.matches("[0-9]{1,3}")
                    && Integer.parseInt(bits) <= (isV6(address) ? 128 : 32);
        }
        int dash = range.indexOf('-');
        if (dash >= 0) {
            String from = range.substring(0, dash);
            String to = range.substring(dash + 1);
            return isAddress(from) && isAddress(to) && isV6(from) == isV6(to)
                    && value(from).compareTo(value(to)) <= 0;
        }
        return isAddress(range);
    }

    private static boolean isAddress(String text) {
        return !text.contains("%") && InetAddresses.isInetAddress(text);
    }

    /** The family as written: an IPv4-mapped IPv6 literal ({@code ::ffff:1.2.3.4}) counts as IPv6. */
    private static boolean isV6(String address) {
        return address.contains(":");
    }

    private static BigInteger value(String address) {
        InetAddress parsed = InetAddresses.forString(address);
        return InetAddresses.toBigInteger(parsed);
    }
}

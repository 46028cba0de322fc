package io.nexodus.fn.vpcs;

import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.ipam.Cidrs;
import io.nexodus.shared.ipam.IpamNamespaces;

/**
 * The address plan of a new VPC (Nexodus's CreateVPC, internal/handlers/vpc.go): every non-private VPC shares
 * 100.64.0.0/10 and 200::/64 in the shared IPAM namespace (so addresses are unique across the deployment); a private
 * VPC brings its own IPv4 and IPv6 prefixes in a namespace of its own.
 */
record VpcCidrs(String ipv4, String ipv6) {

    static VpcCidrs of(boolean privateCidr, String ipv4, String ipv6) {
        if (!privateCidr) {
            if (!isBlank(ipv4) && !IpamNamespaces.DEFAULT_IPV4_CIDR.equals(normalize(ipv4, "ipv4_cidr", 4))) {
                throw ApiErrors.invalidField("ipv4_cidr", "must be " + IpamNamespaces.DEFAULT_IPV4_CIDR
                        + " (or empty) unless private_cidr is true");
            }
            if (!isBlank(ipv6) && !IpamNamespaces.DEFAULT_IPV6_CIDR.equals(normalize(ipv6, "ipv6_cidr", 6))) {
                throw ApiErrors.invalidField("ipv6_cidr", "must be " + IpamNamespaces.DEFAULT_IPV6_CIDR
                        + " (or empty) unless private_cidr is true");
            }
            return new VpcCidrs(IpamNamespaces.DEFAULT_IPV4_CIDR, IpamNamespaces.DEFAULT_IPV6_CIDR);
        }
        if (isBlank(ipv4)) {
            throw ApiErrors.fieldNotPresent("ipv4_cidr");
        }
        if (isBlank(ipv6)) {
            throw ApiErrors.fieldNotPresent("ipv6_cidr");
        }
        return new VpcCidrs(normalize(ipv4, "ipv4_cidr", 4), normalize(ipv6, "ipv6_cidr", 6));
    }

    private static String normalize(String cidr, String field, int family) {
        String normalized;
        try {
            normalized = Cidrs.normalize(cidr);
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidField(field, "not a CIDR: " + cidr);
        }
        boolean v6 = normalized.contains(":");
        if (family == 4 && v6 || family == 6 && !v6) {
            throw ApiErrors.invalidField(field, "not an IPv" + family + " CIDR: " + cidr);
        }
        int length = Integer.parseInt(normalized.substring(normalized.indexOf('/') + 1));
        if (family == 4 && length > 30 || family == 6 && length > 126) {
            throw ApiErrors.invalidField(field, "too small for devices: " + cidr);
        }
        return normalized;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}

package io.nexodus.shared.ipam;

import java.util.UUID;

/**
 * Nexodus's namespace names: a UUID with '-' replaced by '_' (go-ipam made tables of them). The nil
 * UUID is the shared namespace of every non-private VPC; a private VPC's namespace is its id.
 */
public final class IpamNamespaces {

    public static final String SHARED = of(new UUID(0, 0));
    public static final String DEFAULT_IPV4_CIDR = "100.64.0.0/10";
    public static final String DEFAULT_IPV6_CIDR = "200::/64";

    private IpamNamespaces() {
    }

    public static String of(UUID id) {
        return id.toString().replace('-', '_');
    }
}

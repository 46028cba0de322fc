package io.nexodus.shared.devices;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import io.nexodus.shared.crypto.WireGuardKeys;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.ipam.Cidrs;
import io.nexodus.shared.model.Endpoint;
import io.vertx.core.json.JsonArray;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** Validation of the fields a device sends (register and update share it), each error naming the field. */
public final class DeviceFields {

    public static final int MAX_HOSTNAME = 255;
    public static final int MAX_OS = 64;
    public static final int MAX_ENDPOINTS = 32;
    public static final int MAX_ADVERTISED = 256;

    private DeviceFields() {
    }

    public static String publicKey(String key) {
        if (key == null || key.isBlank()) {
            throw ApiErrors.fieldNotPresent("public_key");
        }
        if (!WireGuardKeys.isValid(key)) {
            throw ApiErrors.invalidField("public_key", "not a WireGuard public key (32 bytes, base64)");
        }
        return key;
    }

    /** Normalized ({@code 10.1.2.3/24} → {@code 10.1.2.0/24}), without duplicates, in the given order. */
    public static List<String> advertiseCidrs(List<String> cidrs) {
        if (cidrs == null) {
            return List.of();
        }
        if (cidrs.size() > MAX_ADVERTISED) {
            throw ApiErrors.invalidField("advertise_cidrs", "more than " + MAX_ADVERTISED + " prefixes");
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (int i = 0; i < cidrs.size(); i++) {
            String cidr = cidrs.get(i);
            try {
                out.add(Cidrs.normalize(cidr == null ? "" : cidr));
            } catch (IllegalArgumentException e) {
                throw ApiErrors.invalidField("advertise_cidrs[" + i + "]", "not a CIDR: " + cidr);
            }
        }
        return new ArrayList<>(out);
    }

    /** The one IPv4 address a device may ask for, or null. */
    public static String requestedIpv4(List<io.nexodus.shared.model.TunnelIp> requested) {
        if (requested == null || requested.isEmpty()) {
            return null;
        }
        if (requested.size() > 1) {
            throw ApiErrors.invalidField("ipv4_tunnel_ips", "at most one IPv4 tunnel address may be requested");
        }
        String address = requested.get(0).address();
        if (address == null || address.isBlank()) {
            return null;
        }
        if (!InetAddresses.isInetAddress(address) || !(InetAddresses.forString(address) instanceof Inet4Address)) {
            throw ApiErrors.invalidField("ipv4_tunnel_ips[0].address", "not an IPv4 address: " + address);
        }
        return address;
    }

    public static List<Endpoint> endpoints(List<Endpoint> endpoints) {
        if (endpoints == null) {
            return List.of();
        }
        if (endpoints.size() > MAX_ENDPOINTS) {
            throw ApiErrors.invalidField("endpoints", "more than " + MAX_ENDPOINTS + " endpoints");
        }
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint endpoint = endpoints.get(i);
            String address = endpoint == null ? null : endpoint.address();
            try {
                HostAndPort hostAndPort = HostAndPort.fromString(address == null ? "" : address);
                if (!hostAndPort.hasPort() || !InetAddresses.isInetAddress(hostAndPort.getHost())) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw ApiErrors.invalidField("endpoints[" + i + "].address", "not an ip:port: " + address);
            }
            if (endpoint.source() == null || endpoint.source().length() > 255) {
                throw ApiErrors.invalidField("endpoints[" + i + "].source", "required, at most 255 characters");
            }
        }
        return endpoints;
    }

    public static String text(String value, String field, int max) {
        String v = value == null ? "" : value;
        if (v.length() > max) {
            throw ApiErrors.invalidField(field, "longer than " + max + " characters");
        }
        return v;
    }

    public static JsonArray json(List<?> records) {
        JsonArray array = new JsonArray();
        for (Object record : records) {
            if (record instanceof Endpoint e) {
                array.add(e.toJson());
            } else if (record instanceof io.nexodus.shared.model.TunnelIp t) {
                array.add(t.toJson());
            }
        }
        return array;
    }
}

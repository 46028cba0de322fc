package io.nexodus.fn.securitygroups;

import io.nexodus.shared.error.ApiErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks a rule list before it is stored (Nexodus's internal/handlers/security_group.go). A bad rule is a 422 naming
 * the exact member, e.g. {@code inbound_rules[0].from_port} or {@code outbound_rules[2].ip_ranges[1]} (Nexodus named
 * only the kind of problem: {@code protocol}, {@code port_range}, {@code ip_range}).
 */
final class RuleValidation {

    static final Set<String> PROTOCOLS = Set.of("", "ipv4", "ipv6", "icmp", "icmpv4", "icmpv6", "tcp", "udp");
    static final long MAX_PORT = 65535;

    private RuleValidation() {
    }

    /**
     * @param field the list's name ({@code inbound_rules}, {@code outbound_rules})
     * @return the rules with absent members set to their zero values; null stays null (= leave as is)
     */
    static List<SecurityRule> validated(List<SecurityRule> rules, String field) {
        if (rules == null) {
            return null;
        }
        List<SecurityRule> out = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            String at = field + "[" + i + "]";
            if (rules.get(i) == null) {
                throw ApiErrors.unprocessable("rule must be an object", at);
            }
            SecurityRule rule = rules.get(i).withDefaults();
            if (!PROTOCOLS.contains(rule.ipProtocol())) {
                throw ApiErrors.unprocessable("ip_protocol must be one of \"\", ipv4, ipv6, icmp, icmpv4, icmpv6,"
                        + " tcp, udp", at + ".ip_protocol");
            }
            checkPorts(rule.fromPort(), rule.toPort(), at);
            for (int j = 0; j < rule.ipRanges().size(); j++) {
                String range = rule.ipRanges().get(j);
                if (range == null || !IpRanges.isValid(range)) {
                    throw ApiErrors.unprocessable("ip range must be a CIDR, an IP address or a range a-b of one"
                            + " family with a <= b", at + ".ip_ranges[" + j + "]");
                }
            }
            out.add(rule);
        }
        return out;
    }

    /** Both 0 (any port), or 1 ≤ from ≤ to ≤ 65535. */
    private static void checkPorts(long from, long to, String at) {
        if (from == 0 && to == 0) {
            return;
        }
        if (from < 1 || from > MAX_PORT) {
            throw ApiErrors.unprocessable("from_port must be between 1 and 65535 (or both ports 0 for any)",
                    at + ".from_port");
        }
        if (to < 1 || to > MAX_PORT) {
            throw ApiErrors.unprocessable("to_port must be between 1 and 65535 (or both ports 0 for any)",
                    at + ".to_port");
        }
        if (from > to) {
            throw ApiErrors.unprocessable("from_port must not be greater than to_port", at + ".from_port");
        }
    }
}

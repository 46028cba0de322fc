package io.nexodus.ipam;

/** A stored prefix; {@code parentCidr} is empty for a top-level prefix (as in go-ipam's Prefix message). */
public record PrefixRecord(long id, String namespace, String cidr, String parentCidr, int children) {

    public io.nexodus.shared.ipam.api.v1.Prefix toMessage() {
        return io.nexodus.shared.ipam.api.v1.Prefix.newBuilder().setCidr(cidr).setParentCidr(parentCidr).build();
    }

    public Cidr parsed() {
        return Cidr.parse(cidr);
    }
}

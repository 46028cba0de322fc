package io.nexodus.shared.events;

/**
 * Every outbound CloudEvent type: one past-tense fact per kind of committed change. {@code docs/events.md}
 * lists the same set (a test compares them both ways), with each type's data and emitter.
 */
public enum EventType {
    DEVICE_REGISTERED("io.nexodus.device.registered"),
    DEVICE_UPDATED("io.nexodus.device.updated"),
    DEVICE_DELETED("io.nexodus.device.deleted"),
    DEVICE_TOKEN_ROTATED("io.nexodus.device.token.rotated"),
    DEVICE_METADATA_UPDATED("io.nexodus.device.metadata.updated"),
    DEVICE_METADATA_DELETED("io.nexodus.device.metadata.deleted"),
    ORGANIZATION_CREATED("io.nexodus.organization.created"),
    ORGANIZATION_DELETED("io.nexodus.organization.deleted"),
    ORGANIZATION_MEMBER_JOINED("io.nexodus.organization.member.joined"),
    ORGANIZATION_MEMBER_REMOVED("io.nexodus.organization.member.removed"),
    INVITATION_CREATED("io.nexodus.invitation.created"),
    INVITATION_DELETED("io.nexodus.invitation.deleted"),
    SECURITY_GROUP_CREATED("io.nexodus.securitygroup.created"),
    SECURITY_GROUP_UPDATED("io.nexodus.securitygroup.updated"),
    SECURITY_GROUP_DELETED("io.nexodus.securitygroup.deleted"),
    REG_KEY_CREATED("io.nexodus.regkey.created"),
    REG_KEY_UPDATED("io.nexodus.regkey.updated"),
    REG_KEY_DELETED("io.nexodus.regkey.deleted"),
    VPC_CREATED("io.nexodus.vpc.created"),
    VPC_UPDATED("io.nexodus.vpc.updated"),
    VPC_DELETED("io.nexodus.vpc.deleted"),
    USER_DELETED("io.nexodus.user.deleted");

    private final String type;

    EventType(String type) {
        this.type = type;
    }

    /** The CloudEvent {@code type} attribute. */
    public String type() {
        return type;
    }
}

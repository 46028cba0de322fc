package io.nexodus.shared.access;

/** Roles of a user in an organization ({@code user_organizations.roles}). */
public enum Role {
    OWNER("owner"), MEMBER("member");

    private final String value;

    Role(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }
}

package io.nexodus.shared.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The react-admin style list parameters every Nexodus list route accepts, raw as they arrive:
 * {@code sort=["field","ASC"]}, {@code filter={"col":value}}, {@code range=[start,end]} (inclusive).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ListParams(String sort, String filter, String range) {

    public static final ListParams NONE = new ListParams(null, null, null);
}

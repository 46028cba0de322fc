package io.nexodus.tests;

import static io.restassured.RestAssured.given;

import io.nexodus.shared.crypto.TokenSeal;
import io.nexodus.shared.crypto.WireGuardKeys;
import io.nexodus.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.security.GeneralSecurityException;

/** An agent as the tests play it: a WireGuard key pair and the calls nexd makes (docs/upstream.md, "The calls nexd makes"). */
final class Nexd {

    static {
        io.restassured.RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    final byte[] privateKey = WireGuardKeys.newPrivateKey();
    final String publicKey;

    Nexd() {
        try {
            publicKey = TokenSeal.publicKeyOf(privateKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    Response register(String bearer, String vpcId, String extraJson) {
        return register(given(), bearer, vpcId, extraJson);
    }

    /** The registration sent to another server than the test application (a function in its own process). */
    Response register(RequestSpecification to, String bearer, String vpcId, String extraJson) {
        return to.header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpcId + "\",\"public_key\":\"" + publicKey + "\",\"hostname\":\"host-"
                        + publicKey.substring(0, 6) + "\",\"os\":\"linux\",\"endpoints\":[{\"source\":\"local\","
                        + "\"address\":\"172.17.0.3:51820\"}]" + extraJson + "}")
                .post("/api/devices");
    }

    /** Opens the sealed {@code bearer_token} of a device answer, as nexd does with its own key. */
    String open(String sealed) {
        try {
            return TokenSeal.openV1(sealed, publicKey);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("the device token does not open with the device's key", e);
        }
    }

    static String user(String prefix) {
        return io.nexodus.testing.TestUsers.unique(prefix);
    }

    /** Provisions the user and returns their id, which is also their default VPC's id. */
    static String defaultVpc(String user) {
        return given().header("Authorization", TestTokens.bearer(user)).get("/api/users/me")
                .then().statusCode(200).extract().path("id");
    }

    static String regKey(String user, String vpcId, String extraJson) {
        return given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpcId + "\"" + extraJson + "}").post("/api/reg-keys")
                .then().statusCode(201).extract().path("bearer_token");
    }
}

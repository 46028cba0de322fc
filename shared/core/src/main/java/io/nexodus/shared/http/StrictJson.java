package io.nexodus.shared.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;

/**
 * Unknown JSON fields are an error that names the field, under every binding. Funqy copies the
 * application's ObjectMapper but switches FAIL_ON_UNKNOWN_PROPERTIES off; a problem handler travels
 * with the copy and is consulted before that feature, so it holds there too.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.addHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                    JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
                throw UnrecognizedPropertyException.from(p, beanOrClass, propertyName,
                        deserializer == null ? null : deserializer.getKnownPropertyNames());
            }
        });
    }
}

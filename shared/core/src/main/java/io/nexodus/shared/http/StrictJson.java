package io.nexodus.shared.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A JSON value of another type than its field's is an error that names the field (no coercion between text,
 * numbers and booleans). Unknown JSON fields are an error that names the field, under every binding, except the read-only fields of
 * the resource an input writes ({@link WritesResource}), which a client may send back as it read them. Funqy copies the
 * application's ObjectMapper but switches FAIL_ON_UNKNOWN_PROPERTIES off; a problem handler travels
 * with the copy and is consulted before that feature, so it holds there too.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        // A value of the wrong JSON type is a 400 naming the field, never converted: Jackson would otherwise take
        // {"name":123} as the text "123", {"mtu":"1420"} as a number and {"single_use":1} as true. Coercion
        // settings travel with the copy Funqy makes, as the handler below does.
        for (LogicalType scalar : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(scalar).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.addHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                    JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
                if (readOnlyFieldOfItsResource(ctxt, beanOrClass, propertyName)) {
                    p.skipChildren(); // the value, whatever its shape
                    return true;
                }
                throw UnrecognizedPropertyException.from(p, beanOrClass, propertyName,
                        deserializer == null ? null : deserializer.getKnownPropertyNames());
            }
        });
    }

    /** Whether the input names the resource it writes ({@link WritesResource}) and the field is of its read model. */
    static boolean readOnlyFieldOfItsResource(DeserializationContext ctxt, Object beanOrClass, String propertyName) {
        Class<?> input = beanOrClass instanceof Class<?> type ? type : beanOrClass == null ? null : beanOrClass.getClass();
        WritesResource resource = input == null ? null : input.getAnnotation(WritesResource.class);
        return resource != null && READ_MODELS.computeIfAbsent(resource.value(), model -> ctxt.getConfig()
                .introspect(ctxt.constructType(model)).findProperties().stream()
                .map(BeanPropertyDefinition::getName).collect(Collectors.toUnmodifiableSet()))
                .contains(propertyName);
    }

    /** Each read model's JSON field names, as the application's mapper names them. */
    private static final Map<Class<?>, Set<String>> READ_MODELS = new ConcurrentHashMap<>();
}

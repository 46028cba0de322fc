package io.nexodus.shared.startup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Cold start: at start-up Funqy copies the application's ObjectMapper and asks it for a reader of every function's
 * input and a writer of every output; Jackson builds each (introspecting the model classes) at once by default. A
 * replica scaled from zero answers one request first, which needs one reader and one writer, so they are built when
 * first used instead (and cached by the mapper from then on, as before). Measured with the cold-start harness, 20
 * paired runs (docs/benchmarks.md "Where a function's start goes beyond the read floor"): {@code devices} (nine
 * functions) answers its first request 3.4 % sooner; {@code users} (four) is unchanged within the noise.
 */
@Singleton
public class JsonBindingOnFirstUse implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.EAGER_DESERIALIZER_FETCH);
        mapper.disable(SerializationFeature.EAGER_SERIALIZER_FETCH);
    }
}

package io.nexodus.bench.floor.hibernate;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The migrated {@code organizations} table (shared/migrations V1) as a Panache entity. Only the columns the
 * read needs are mapped; the ids are written by the application (no generator), as in the functions.
 * {@code columnDefinition = "text"} so that schema validation compares against the migration's types.
 */
@Entity
@Table(name = "organizations")
public class Organization extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false, columnDefinition = "text")
    public String name;

    @Column(nullable = false, columnDefinition = "text")
    public String description;

    @Column(name = "deleted_at")
    public OffsetDateTime deletedAt;
}

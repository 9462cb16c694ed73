//! Registration: every routed Schemas operation with its REST route (method, path template,
//! label and query bindings, success status) from the API model.

use std::sync::Arc;

use openwatch_schemas::Schemas;
use openwatch_wire::protocol::rest::{Binding, RestRoute};
use openwatch_wire::{Operation, Registry, Service};

use super::*;

const REGISTRY: (Binding, &str) = (Binding::Label("registryName"), "RegistryName");
const SCHEMA: (Binding, &str) = (Binding::Label("schemaName"), "SchemaName");
const DISCOVERER: (Binding, &str) = (Binding::Label("discovererId"), "DiscovererId");
const RESOURCE: (Binding, &str) = (Binding::Label("resource-arn"), "ResourceArn");
const LIMIT: (Binding, &str) = (Binding::Query("limit"), "Limit");
const NEXT: (Binding, &str) = (Binding::Query("nextToken"), "NextToken");
const VERSION_QUERY: (Binding, &str) = (Binding::Query("schemaVersion"), "SchemaVersion");

const REGISTRY_PATH: &str = "/v1/registries/name/{registryName}";
const SCHEMA_PATH: &str = "/v1/registries/name/{registryName}/schemas/name/{schemaName}";
const DISCOVERER_PATH: &str = "/v1/discoverers/id/{discovererId}";
const TAGS_PATH: &str = "/tags/{resource-arn}";

fn route(
    registry: &mut Registry,
    method: &'static str,
    template: &'static str,
    bindings: &'static [(Binding, &'static str)],
    success_status: u16,
    op: Operation,
) {
    registry.add_rest(
        Service::Schemas,
        RestRoute {
            method,
            template,
            operation: op.name,
            bindings,
            success_status,
        },
    );
    registry.add(op);
}

/// Registers the Schemas operations and their routes.
pub fn register(registry: &mut Registry, schemas: Arc<Schemas>) {
    let s = Service::Schemas;
    let r = registry;
    // Registries.
    route(
        r,
        "POST",
        REGISTRY_PATH,
        &[REGISTRY],
        201,
        Operation::new(s, "CreateRegistry", handler!(schemas, create_registry))
            .resource(registry_resource),
    );
    route(
        r,
        "GET",
        REGISTRY_PATH,
        &[REGISTRY],
        200,
        Operation::new(s, "DescribeRegistry", handler!(schemas, describe_registry))
            .read_only()
            .resource(registry_resource),
    );
    route(
        r,
        "PUT",
        REGISTRY_PATH,
        &[REGISTRY],
        200,
        Operation::new(s, "UpdateRegistry", handler!(schemas, update_registry))
            .resource(registry_resource),
    );
    route(
        r,
        "DELETE",
        REGISTRY_PATH,
        &[REGISTRY],
        204,
        Operation::new(s, "DeleteRegistry", handler!(schemas, delete_registry))
            .resource(registry_resource),
    );
    route(
        r,
        "GET",
        "/v1/registries",
        &[
            LIMIT,
            NEXT,
            (Binding::Query("registryNamePrefix"), "RegistryNamePrefix"),
            (Binding::Query("scope"), "Scope"),
        ],
        200,
        Operation::new(s, "ListRegistries", handler!(schemas, list_registries)).read_only(),
    );
    // Schemas and versions.
    route(
        r,
        "POST",
        SCHEMA_PATH,
        &[REGISTRY, SCHEMA],
        201,
        Operation::new(s, "CreateSchema", handler!(schemas, create_schema))
            .resource(schema_resource),
    );
    route(
        r,
        "GET",
        SCHEMA_PATH,
        &[REGISTRY, SCHEMA, VERSION_QUERY],
        200,
        Operation::new(s, "DescribeSchema", handler!(schemas, describe_schema))
            .read_only()
            .resource(schema_resource),
    );
    route(
        r,
        "PUT",
        SCHEMA_PATH,
        &[REGISTRY, SCHEMA],
        200,
        Operation::new(s, "UpdateSchema", handler!(schemas, update_schema))
            .resource(schema_resource),
    );
    route(
        r,
        "DELETE",
        SCHEMA_PATH,
        &[REGISTRY, SCHEMA],
        204,
        Operation::new(s, "DeleteSchema", handler!(schemas, delete_schema))
            .resource(schema_resource),
    );
    route(
        r,
        "DELETE",
        "/v1/registries/name/{registryName}/schemas/name/{schemaName}/version/{schemaVersion}",
        &[
            REGISTRY,
            SCHEMA,
            (Binding::Label("schemaVersion"), "SchemaVersion"),
        ],
        204,
        Operation::new(
            s,
            "DeleteSchemaVersion",
            handler!(schemas, delete_schema_version),
        )
        .resource(schema_resource),
    );
    route(
        r,
        "GET",
        "/v1/registries/name/{registryName}/schemas",
        &[
            REGISTRY,
            LIMIT,
            NEXT,
            (Binding::Query("schemaNamePrefix"), "SchemaNamePrefix"),
        ],
        200,
        Operation::new(s, "ListSchemas", handler!(schemas, list_schemas))
            .read_only()
            .resource(registry_resource),
    );
    route(
        r,
        "GET",
        "/v1/registries/name/{registryName}/schemas/name/{schemaName}/versions",
        &[REGISTRY, SCHEMA, LIMIT, NEXT],
        200,
        Operation::new(
            s,
            "ListSchemaVersions",
            handler!(schemas, list_schema_versions),
        )
        .read_only()
        .resource(schema_resource),
    );
    route(
        r,
        "GET",
        "/v1/registries/name/{registryName}/schemas/search",
        &[
            REGISTRY,
            LIMIT,
            NEXT,
            (Binding::Query("keywords"), "Keywords"),
        ],
        200,
        Operation::new(s, "SearchSchemas", handler!(schemas, search_schemas))
            .read_only()
            .resource(registry_resource),
    );
    route(
        r,
        "GET",
        "/v1/registries/name/{registryName}/schemas/name/{schemaName}/export",
        &[
            REGISTRY,
            SCHEMA,
            VERSION_QUERY,
            (Binding::Query("type"), "Type"),
        ],
        200,
        Operation::new(s, "ExportSchema", handler!(schemas, export_schema))
            .read_only()
            .resource(schema_resource),
    );
    route(
        r,
        "POST",
        "/v1/discover",
        &[],
        200,
        Operation::new(
            s,
            "GetDiscoveredSchema",
            handler!(schemas, get_discovered_schema),
        )
        .read_only(),
    );
    // Discoverers.
    route(
        r,
        "POST",
        "/v1/discoverers",
        &[],
        201,
        Operation::new(s, "CreateDiscoverer", handler!(schemas, create_discoverer)),
    );
    route(
        r,
        "GET",
        DISCOVERER_PATH,
        &[DISCOVERER],
        200,
        Operation::new(
            s,
            "DescribeDiscoverer",
            handler!(schemas, describe_discoverer),
        )
        .read_only()
        .resource(discoverer_resource),
    );
    route(
        r,
        "PUT",
        DISCOVERER_PATH,
        &[DISCOVERER],
        200,
        Operation::new(s, "UpdateDiscoverer", handler!(schemas, update_discoverer))
            .resource(discoverer_resource),
    );
    route(
        r,
        "DELETE",
        DISCOVERER_PATH,
        &[DISCOVERER],
        204,
        Operation::new(s, "DeleteDiscoverer", handler!(schemas, delete_discoverer))
            .resource(discoverer_resource),
    );
    route(
        r,
        "POST",
        "/v1/discoverers/id/{discovererId}/start",
        &[DISCOVERER],
        200,
        Operation::new(s, "StartDiscoverer", handler!(schemas, start_discoverer))
            .resource(discoverer_resource),
    );
    route(
        r,
        "POST",
        "/v1/discoverers/id/{discovererId}/stop",
        &[DISCOVERER],
        200,
        Operation::new(s, "StopDiscoverer", handler!(schemas, stop_discoverer))
            .resource(discoverer_resource),
    );
    route(
        r,
        "GET",
        "/v1/discoverers",
        &[
            LIMIT,
            NEXT,
            (Binding::Query("discovererIdPrefix"), "DiscovererIdPrefix"),
            (Binding::Query("sourceArnPrefix"), "SourceArnPrefix"),
        ],
        200,
        Operation::new(s, "ListDiscoverers", handler!(schemas, list_discoverers)).read_only(),
    );
    // Tags.
    route(
        r,
        "POST",
        TAGS_PATH,
        &[RESOURCE],
        204,
        Operation::new(s, "TagResource", handler!(schemas, tag_resource)).resource(tagged_resource),
    );
    route(
        r,
        "DELETE",
        TAGS_PATH,
        &[RESOURCE, (Binding::QueryList("tagKeys"), "TagKeys")],
        204,
        Operation::new(s, "UntagResource", handler!(schemas, untag_resource))
            .resource(tagged_resource),
    );
    route(
        r,
        "GET",
        TAGS_PATH,
        &[RESOURCE],
        200,
        Operation::new(
            s,
            "ListTagsForResource",
            handler!(schemas, list_tags_for_resource),
        )
        .read_only()
        .resource(tagged_resource),
    );
}

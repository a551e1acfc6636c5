//! The OpenAPI 3.1 document, generated from the route table below. A test requests every row
//! against the live router, so the table and the router cannot drift apart unnoticed.
//! (utoipa would derive schemas from the model types, but that would make `vigil-model` depend
//! on an HTTP documentation crate.)

use serde_json::{json, Map, Value};

use crate::error::ErrorCode;

/// One endpoint: method, path (axum syntax), summary, who may call it, query parameters.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub authenticated: bool,
    pub query: &'static [&'static str],
    pub body: Option<&'static str>,
}

const fn route(method: &'static str, path: &'static str, summary: &'static str) -> Route {
    Route {
        method,
        path,
        summary,
        authenticated: true,
        query: &[],
        body: None,
    }
}

pub const ROUTES: &[Route] = &[
    Route {
        query: &["q", "list", "schema", "include_delisted", "limit", "offset"],
        ..route(
            "get",
            "/api/v1/entities",
            "Search the entities you may see by name substring, list and schema",
        )
    },
    route(
        "get",
        "/api/v1/entities/{id}",
        "One entity as the register holds it now (404 when you may not see it)",
    ),
    route(
        "get",
        "/api/v1/entities/{id}/history",
        "Every version of an entity that you may see",
    ),
    route(
        "get",
        "/api/v1/lists",
        "The lists with counts of the entities you may see",
    ),
    route(
        "get",
        "/api/v1/lists/{name}/revisions",
        "A list's revisions (counts only when you may see the whole list)",
    ),
    Route {
        query: &["from", "to"],
        ..route(
            "get",
            "/api/v1/lists/{name}/diff",
            "What changed between two revisions, among the entities you may see",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/designations",
            "Add a national designation to your member state's list (analyst, admin)",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "put",
            "/api/v1/designations/{id}",
            "Amend one of your member state's designations (analyst, admin)",
        )
    },
    route(
        "delete",
        "/api/v1/designations/{id}",
        "Withdraw (delist) one of your member state's designations; nothing is deleted",
    ),
    Route {
        query: &["format", "list", "name"],
        body: Some("application/octet-stream"),
        ..route(
            "post",
            "/api/v1/imports",
            "Import uploaded list files (one as the body, several as multipart/form-data), each list a new revision, in one transaction (admin)",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/notices",
            "Declare a search for a wanted person (a member state's analysts and admins)",
        )
    },
    Route {
        query: &["status", "review_due", "review_days"],
        ..route(
            "get",
            "/api/v1/notices",
            "The search notices you may see; review_due: your own not reviewed lately",
        )
    },
    Route {
        body: Some("application/json"),
        query: &["format", "scope", "contact_point", "declared_on"],
        ..route(
            "post",
            "/api/v1/notices/import",
            "Declare a search from an FtM Person and Sanction or an INTERPOL red notice",
        )
    },
    route(
        "get",
        "/api/v1/notices/{id}",
        "One search notice with its history (404 when its scope does not reach you)",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/notices/{id}/steps",
            "Record a step: circulate, locate, detain, hand_over, extradite, withdraw, review",
        )
    },
    Route {
        query: &["format"],
        ..route(
            "get",
            "/api/v1/notices/{id}/export",
            "The notice as FtM lines, INTERPOL red-notice JSON or a STIX 2.1 bundle",
        )
    },
    Route {
        query: &[
            "authority",
            "user",
            "record",
            "action",
            "from",
            "to",
            "after",
            "limit",
        ],
        ..route(
            "get",
            "/api/v1/audit",
            "Read the audit log (auditor, admin)",
        )
    },
    Route {
        query: &["threshold", "limit", "explain"],
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/screen",
            "Screen one name (the shape of a `vigil screen --input` line); restricted hits for records you may not see",
        )
    },
    Route {
        query: &["threshold", "limit", "explain"],
        body: Some("application/jsonl"),
        ..route(
            "post",
            "/api/v1/screen/batch",
            "Screen up to 10,000 queries (JSON Lines); results streamed as JSON Lines in input order",
        )
    },
    route(
        "get",
        "/api/v1/references/{reference}",
        "Resolve a restricted-hit reference (the record's originating state only)",
    ),
    // The exchange (issue 5).
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/messages",
            "Send a request, alert or notification with its markings (classification, handling code, TLP 2.0)",
        )
    },
    Route {
        query: &["box", "unread", "overdue", "entity", "thread", "kind"],
        ..route(
            "get",
            "/api/v1/messages",
            "Your authority's messages (box=inbox|sent|all), filtered; marks inbox messages delivered",
        )
    },
    route(
        "get",
        "/api/v1/messages/{id}",
        "One message you sent or received (marks it read); the sender sees its state and receipts",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/messages/{id}/reply",
            "Reply to a message you received; the reply goes to its sender",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/messages/{id}/forward",
            "Pass a message on, as its handling code and TLP label allow",
        )
    },
    route(
        "get",
        "/api/v1/messages/{id}/attachments/{index}",
        "An attachment of a message you sent or received",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/references/{reference}/request",
            "Turn a restricted hit into a request for information to the record's originating state",
        )
    },
    route(
        "get",
        "/api/v1/exchange/policy",
        "Your authority's exchange policy (automatic alerts on screening hits)",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "put",
            "/api/v1/exchange/policy",
            "Set your authority's exchange policy (admin)",
        )
    },
    Route {
        body: Some("application/octet-stream"),
        query: &["threshold", "limit", "explain", "strict", "format"],
        ..route(
            "post",
            "/api/v1/manifests",
            "Screen every traveller of a PAXLST or PNRGOV file (the body); JSON Lines or CSV; applies your authority's watch rule",
        )
    },
    route(
        "get",
        "/api/v1/watch-rule",
        "Your authority's watch rule for traveller manifests (threshold, alert)",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "put",
            "/api/v1/watch-rule",
            "Set your authority's watch rule (admin)",
        )
    },
    Route {
        query: &["limit"],
        ..route(
            "get",
            "/api/v1/encounters",
            "Your authority's encounters: manifest travellers who matched at or above the watch rule",
        )
    },
    route(
        "get",
        "/api/v1/exchange/stix",
        "Everything you may see of the register and the exchange as one STIX 2.1 bundle",
    ),
    Route {
        body: Some("application/stix+json"),
        ..route(
            "post",
            "/api/v1/exchange/stix",
            "Import a STIX 2.1 bundle: designations to your state's list, sightings as alerts (analyst, admin)",
        )
    },
    route("get", "/taxii2/", "TAXII 2.1 discovery"),
    route("get", "/taxii2/api/", "TAXII 2.1 API root"),
    route("get", "/taxii2/api/collections/", "TAXII 2.1 collections: the register and the exchange"),
    route("get", "/taxii2/api/collections/{id}/", "One TAXII 2.1 collection"),
    Route {
        query: &["added_after", "limit", "next", "match[type]", "match[id]", "match[version]", "match[spec_version]"],
        ..route(
            "get",
            "/taxii2/api/collections/{id}/objects/",
            "A collection's STIX objects you may see, by date added, filtered, paged",
        )
    },
    Route {
        query: &["added_after", "limit", "next", "match[type]", "match[id]", "match[version]", "match[spec_version]"],
        ..route(
            "get",
            "/taxii2/api/collections/{id}/manifest/",
            "A collection's manifest: id, date added, version and media type of the objects you may see",
        )
    },
    Route {
        query: &["added_after", "limit", "next", "match[version]", "match[spec_version]"],
        ..route(
            "get",
            "/taxii2/api/collections/{id}/objects/{object_id}/",
            "One object of a collection (every version)",
        )
    },
    Route {
        query: &["added_after", "limit", "next", "match[version]", "match[spec_version]"],
        ..route(
            "get",
            "/taxii2/api/collections/{id}/objects/{object_id}/versions/",
            "The versions of one object of a collection",
        )
    },
    Route {
        query: &[
            "threshold",
            "cutoff",
            "limit",
            "algorithm",
            "topics",
            "changed_since",
            "exclude_schema",
            "exclude_dataset",
            "include_dataset",
        ],
        body: Some("application/json"),
        ..route(
            "post",
            "/match/{dataset}",
            "yente-compatible matching (`default` or a list name); every algorithm uses Vigil's scorer",
        )
    },
    route(
        "get",
        "/api/v1/council/members",
        "The council's member states (with accession dates), observers, partners and representatives",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/members",
            "Add an observer, dialogue partner or member state (secretariat)",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/representatives",
            "Record who represents a state in a body, from when to when (secretariat)",
        )
    },
    Route {
        query: &["on"],
        ..route(
            "get",
            "/api/v1/council/chair",
            "Who chairs (chaired, will chair) the council on a date",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "put",
            "/api/v1/council/chair/rotation",
            "Set the chair's rotation order and anchor term (secretariat)",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/chair/terms",
            "Record a term overriding the rotation; overlaps are refused (secretariat)",
        )
    },
    route(
        "get",
        "/api/v1/council/meetings",
        "The council's meetings",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/meetings",
            "Create a meeting (secretariat)",
        )
    },
    route(
        "get",
        "/api/v1/council/meetings/{id}",
        "A meeting with delegations, documents, decisions, side events and open tasks for review",
    ),
    route(
        "get",
        "/api/v1/council/meetings/{id}/ics",
        "A meeting and its side events as iCalendar (text/calendar)",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "put",
            "/api/v1/council/meetings/{id}/minutes",
            "Set a meeting's minutes (secretariat)",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/meetings/{id}/delegates",
            "Add a delegation member (secretariat)",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/meetings/{id}/documents",
            "Add the next version of a meeting document (secretariat)",
        )
    },
    route(
        "get",
        "/api/v1/council/decisions",
        "Every decision with positions and tasks (silence procedures settled first)",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/decisions",
            "Put a draft decision to the members, in a meeting or by silence procedure (secretariat)",
        )
    },
    route(
        "get",
        "/api/v1/council/decisions/{id}",
        "One decision with each member state's position and its tasks",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/decisions/{id}/positions",
            "Record your member state's position on a decision",
        )
    },
    route(
        "post",
        "/api/v1/council/decisions/{id}/adopt",
        "Record adoption by consensus in a meeting; refused while any member objects (secretariat)",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/decisions/{id}/tasks",
            "Add an implementation task to a decision (secretariat)",
        )
    },
    Route {
        query: &["open"],
        ..route(
            "get",
            "/api/v1/council/tasks",
            "Implementation tasks (open=true: not done)",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/tasks/{id}/reports",
            "Report on a task's implementation and set its status (secretariat)",
        )
    },
    route(
        "get",
        "/api/v1/council/budgets/{year}",
        "The Executive Committee's budget: shares, contributions due, paid and arrears",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "put",
            "/api/v1/council/budgets/{year}",
            "Set a year's budget and shares (summing to 100 %) (secretariat)",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/budgets/{year}/payments",
            "Record a member's payment in the budget's currency (secretariat)",
        )
    },
    route(
        "get",
        "/api/v1/council/plans",
        "Programmes, work plans, joint plans, agreements and exercises with their actions",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/plans",
            "Create a programme, plan, agreement or exercise (secretariat)",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/plans/{id}/actions",
            "Add an action to a plan (secretariat)",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "put",
            "/api/v1/council/actions/{id}",
            "Set the status of a plan's action (secretariat)",
        )
    },
    Route {
        query: &["year", "format"],
        ..route(
            "get",
            "/api/v1/council/report",
            "The report to the Council of Heads of State for a year (format: json, markdown, pdf)",
        )
    },
    // ---- gaps of the council and the exchange ----
    route(
        "get",
        "/api/v1/council/bodies",
        "The organization's bodies: Council, Executive Committee, Council of Heads of State, expert groups",
    ),
    Route {
        body: Some("application/json"),
        ..route(
            "post",
            "/api/v1/council/bodies",
            "Add a body, such as an expert group (secretariat)",
        )
    },
    Route {
        body: Some("application/json"),
        ..route(
            "put",
            "/api/v1/council/plans/{id}/evaluation",
            "Record an exercise's evaluation (secretariat)",
        )
    },
    Route {
        authenticated: false,
        ..route("get", "/healthz", "The process is up")
    },
    Route {
        authenticated: false,
        ..route("get", "/readyz", "The store answers")
    },
    Route {
        authenticated: false,
        ..route("get", "/metrics", "Prometheus metrics")
    },
    Route {
        authenticated: false,
        ..route("get", "/api/openapi.json", "This document")
    },
];

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

/// The OpenAPI 3.1 document of every route.
pub fn openapi() -> Value {
    let mut paths = Map::new();
    for r in ROUTES {
        let mut parameters: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        parameters.extend(r.query.iter().map(
            |name| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}}),
        ));
        let mut responses = Map::new();
        responses.insert(
            "200".into(),
            json!({"description": "Success", "content": {"application/json": {}}}),
        );
        if r.authenticated {
            responses.insert(
                "401".into(),
                problem_response("No, unknown, expired or revoked token"),
            );
            responses.insert(
                "403".into(),
                problem_response("Your role or authority does not allow this"),
            );
            responses.insert(
                "429".into(),
                problem_response("Rate limit of the token exceeded"),
            );
        }
        if r.path.contains('{') {
            responses.insert(
                "404".into(),
                problem_response("No such record, or not visible to you"),
            );
        }
        if r.body.is_some() || !r.query.is_empty() {
            responses.insert("400".into(), problem_response("Malformed request"));
        }
        if r.body.is_some() {
            responses.insert("413".into(), problem_response("Body too large"));
            responses.insert("422".into(), problem_response("Body of the wrong shape"));
        }
        let mut op = json!({
            "operationId": format!("{}_{}", r.method, r.path.trim_start_matches('/').replace(['/', '{', '}', '.'], "_")),
            "summary": r.summary,
            "parameters": parameters,
            "responses": responses,
        });
        if r.authenticated {
            op["security"] = json!([{"bearer": []}]);
        }
        if let Some(media) = r.body {
            op["requestBody"] = json!({"required": true, "content": {media: {}}});
        }
        let entry = paths
            .entry(r.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[r.method] = op;
    }
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.code()).collect();
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Vigil", "version": env!("CARGO_PKG_VERSION"),
                 "description": "The shared register of designated organizations and persons."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {
                    "type": "object",
                    "description": "RFC 9457 problem details",
                    "required": ["type", "title", "status", "code"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "code": {"type": "string", "enum": codes}
                    }
                }
            }
        }
    })
}

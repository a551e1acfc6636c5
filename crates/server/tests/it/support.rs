use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;
use vigil_model::{
    Designation, DesignationKind, DesignationStatus, Distribution, Entity, ListName, Name,
    NameKind, Role, Schema,
};
use vigil_store::{FileRef, ImportBatch, Store};

pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
    /// Asserts a problem document with this status and code.
    pub fn problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.body
        );
        assert_eq!(self.json()["code"], code, "{}", self.body);
    }
}

pub async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: impl Into<Body>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let response = app
        .clone()
        .oneshot(req.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        content_type,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub async fn get(app: &Router, uri: &str, token: &str) -> Reply {
    call(app, "GET", uri, Some(token), Body::empty()).await
}

/// The national records of Russia, one per distribution, with names that tests look for in
/// answer bodies.
pub const RU_RECORDS: [(&str, &str); 5] = [
    ("ru:orig", "Zorya Originator Cell"),
    ("ru:states", "Zorya Kazakh Shared Front"),
    ("ru:members", "Zorya Members Brigade"),
    ("ru:partners", "Zorya Partners Network"),
    ("ru:public", "Zorya Public Movement"),
];

pub fn distribution_of(id: &str) -> Distribution {
    match id {
        "ru:orig" => Distribution::Originator,
        "ru:states" => Distribution::States(vec!["KZ".into()]),
        "ru:members" => Distribution::AllMembers,
        "ru:partners" => Distribution::MembersAndPartners,
        _ => Distribution::Public,
    }
}

fn org(id: &str, name: &str, distribution: Distribution) -> Entity {
    let mut e = Entity::new(id.parse().unwrap(), Schema::Organization);
    e.push_name(Name::new(name, NameKind::Primary));
    e.distribution = distribution;
    e.designations.push(Designation {
        authority: id.split(':').next().unwrap_or("").to_uppercase(),
        regime: "test".into(),
        kind: DesignationKind::OrganizationBan,
        listed_on: None,
        legal_basis: None,
        reference: None,
        status: DesignationStatus::Listed,
        amended_on: vec![],
        delisted_on: None,
        remarks: vec![],
    });
    e
}

fn batch(list: &str, authority: &str, entities: Vec<Entity>) -> ImportBatch {
    ImportBatch {
        list: ListName::new(list).unwrap(),
        authority: authority.into(),
        title: format!("{list} test list"),
        format: "ftm".into(),
        published: None,
        files: vec![FileRef {
            path: format!("{list}.jsonl"),
            sha256: format!("{list}-sha"),
            bytes: 1,
        }],
        entities,
    }
}

/// Callers by name: (user, authority, role).
pub const USERS: [(&str, &str, Role); 10] = [
    ("ru_analyst", "RU-FSB", Role::Analyst),
    ("ru2_analyst", "RU", Role::Analyst),
    ("kz_analyst", "KZ-KNB", Role::Analyst),
    ("cn_analyst", "CN", Role::Analyst),
    ("ec_secretariat", "RATS-EC", Role::Secretariat),
    ("interpol", "INTERPOL", Role::Analyst),
    ("ofac", "US-OFAC", Role::Analyst),
    ("ru_officer", "RU-FSB", Role::Officer),
    ("kz_auditor", "KZ", Role::Auditor),
    ("ec_admin", "RATS-EC", Role::Admin),
];

pub struct World {
    pub store: Store,
    pub app: Router,
    pub tokens: std::collections::HashMap<&'static str, String>,
}

impl World {
    pub fn token(&self, user: &str) -> &str {
        &self.tokens[user]
    }
}

pub async fn world(location: &str, config: vigil_server::Config) -> World {
    let store = Store::open(location).await.unwrap();
    let ru: Vec<Entity> = RU_RECORDS
        .iter()
        .map(|(id, name)| org(id, name, distribution_of(id)))
        .collect();
    store
        .import(
            vec![
                batch(
                    "un",
                    "UNSC",
                    vec![org("un:1", "Global Public Front", Distribution::Public)],
                ),
                batch("ru", "RU", ru),
            ],
            &|_| {},
        )
        .await
        .unwrap();
    let mut tokens = std::collections::HashMap::new();
    for (user, authority, role) in USERS {
        store.add_user(user, authority, role).await.unwrap();
        tokens.insert(user, store.create_token(user, None).await.unwrap().token);
    }
    let app = vigil_server::app(store.clone(), config);
    World { store, app, tokens }
}

/// Whether `user` may see record `id` (the expected matrix, written out by hand).
pub fn expected_visible(user: &str, id: &str) -> bool {
    let all = ["ru_analyst", "ru2_analyst", "ru_officer"];
    match id {
        "ru:orig" => all.contains(&user),
        "ru:states" => all.contains(&user) || ["kz_analyst", "kz_auditor"].contains(&user),
        "ru:members" => !["interpol", "ofac"].contains(&user),
        "ru:partners" => user != "ofac",
        _ => true,
    }
}

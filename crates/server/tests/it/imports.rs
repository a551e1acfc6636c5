//! `POST /imports` with several files (`multipart/form-data`): grouped by list, imported in one
//! transaction, refused whole when any part is wrong.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;
use vigil_testkit::store_test;

use crate::support::{world, Reply};

/// The files of one upload, the status and problem code expected, and a word of the detail.
type Refusal<'a> = (Vec<(&'a str, &'a [u8])>, u16, &'a str, &'a str);

const BOUNDARY: &str = "vigil-test-boundary-7d2f";

fn multipart(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(app: &axum::Router, token: &str, body: Vec<u8>) -> Reply {
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/imports")
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
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

fn example(name: &str) -> Vec<u8> {
    std::fs::read(vigil_testkit::repo_root().join("examples").join(name)).unwrap()
}

async fn revisions(w: &crate::support::World) -> usize {
    let mut n = 0;
    for list in w.store.lists().await.unwrap() {
        n += w.store.revisions(&list.name).await.unwrap().len();
    }
    n
}

store_test!(several_files_in_one_upload, |db| {
    let w = world(&db.location, Default::default()).await;
    let admin = w.token("ec_admin").to_string();
    let ru = example("national_banned_organizations.csv");
    let kz = example("national_banned_organizations_kz.csv");
    let before = revisions(&w).await;

    let truncated = b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST dateGenerated=\"2026-01-01T00:00:00Z\">\n<INDIVIDUALS>\n<INDIVIDUAL>\n<REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER>\n<FIRST_NAME>A";
    let refusals: Vec<Refusal> = vec![
        (
            vec![("kz.csv", &kz), ("un.xml", truncated)],
            422,
            "invalid_list_file",
            "un.xml",
        ),
        (
            vec![("kz.csv", &kz), ("kz.csv", &kz)],
            422,
            "invalid_list_file",
            "given twice",
        ),
        (
            vec![("kz.csv", &kz), ("kz_copy.csv", &kz)],
            422,
            "invalid_list_file",
            "same content",
        ),
        (
            vec![("sdn.csv", &ru)],
            422,
            "invalid_list_file",
            "ambiguous",
        ),
        (
            vec![("../kz.csv", &kz)],
            400,
            "invalid_file_name",
            "path separators",
        ),
        (vec![], 422, "invalid_list_file", "no file"),
    ];
    for (files, status, code, detail) in refusals {
        let reply = upload(&w.app, &admin, multipart(&files)).await;
        reply.problem(status, code);
        assert!(
            reply.json()["detail"]
                .as_str()
                .unwrap_or("")
                .contains(detail),
            "{detail}: {}",
            reply.body
        );
        assert!(
            !reply.body.contains("/tmp/"),
            "the temporary folder is not shown: {}",
            reply.body
        );
        assert_eq!(revisions(&w).await, before, "{detail}: the store changed");
    }
    // A part without a file name, and a body that is not multipart at all despite the header.
    let no_name = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--{BOUNDARY}--\r\n"
    );
    upload(&w.app, &admin, no_name.into_bytes())
        .await
        .problem(422, "invalid_list_file");
    upload(&w.app, &admin, b"not multipart".to_vec())
        .await
        .problem(422, "invalid_list_file");
    assert_eq!(revisions(&w).await, before);

    let reply = upload(
        &w.app,
        &admin,
        multipart(&[("kz.csv", &kz), ("ru.csv", &ru)]),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reports = reply.json()["reports"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let lists: Vec<&str> = reports.iter().filter_map(|r| r["list"].as_str()).collect();
    assert_eq!(lists, ["kz", "ru"], "{}", reply.body);
    assert_eq!(reports[0]["files"][0], "kz.csv");
    assert_eq!(reports[1]["format"], "national-csv");
    assert_eq!(revisions(&w).await, before + 2);
    assert_eq!(w.store.verify_audit().await.unwrap().first_bad, None);
});

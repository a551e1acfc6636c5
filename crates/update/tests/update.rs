//! `vigil_update` against a local HTTP server serving fixture files: complete, cut, missing.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use vigil_store::Store;
use vigil_testkit::store_test;
use vigil_update::{update, Outcome, Source, UpdateConfig};

/// What the fixture server answers for a path: status, body, and the Content-Length it
/// announces (more than the body to simulate a connection cut mid-file).
#[derive(Clone)]
struct Reply {
    status: u16,
    body: Vec<u8>,
    announced: usize,
}

type Routes = Arc<Mutex<HashMap<String, Reply>>>;

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers from `routes` until the test ends.
fn serve(routes: Routes) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&request);
            let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
            let reply = routes.lock().unwrap().get(&path).cloned().unwrap_or(Reply {
                status: 404,
                body: b"not found".to_vec(),
                announced: 9,
            });
            let head = format!(
                "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                reply.status, reply.announced
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&reply.body);
        }
    });
    address
}

fn ok(body: String) -> Reply {
    let body = body.into_bytes();
    Reply {
        status: 200,
        announced: body.len(),
        body,
    }
}

/// A UN consolidated list XML with the given reference numbers.
fn un_xml(date: &str, refs: &[&str]) -> String {
    let people: String = refs
        .iter()
        .map(|r| {
            format!(
                "<INDIVIDUAL><DATAID>1</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>PERSON</FIRST_NAME>\
                 <SECOND_NAME>{r}</SECOND_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>\
                 <REFERENCE_NUMBER>{r}</REFERENCE_NUMBER><LISTED_ON>2001-01-25</LISTED_ON></INDIVIDUAL>\n"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CONSOLIDATED_LIST dateGenerated=\"{date}T00:00:00Z\">\n\
         <INDIVIDUALS>\n{people}</INDIVIDUALS>\n<ENTITIES/>\n</CONSOLIDATED_LIST>\n"
    )
}

fn config(address: &str, paths: &[&str]) -> (UpdateConfig, Vec<Source>) {
    let source = Source {
        name: "un".into(),
        list: None,
        format: None,
        urls: paths.iter().map(|p| format!("{address}{p}")).collect(),
        min_ratio: 0.5,
    };
    let config = UpdateConfig {
        timeout_seconds: 10,
        max_file_bytes: 10 * 1024 * 1024,
        sources: vec![source.clone()],
    };
    (config, vec![source])
}

async fn revisions(store: &Store) -> usize {
    store.revisions("un").await.unwrap().len()
}

store_test!(downloads_verifies_and_imports_what_changed, |db| {
    let store = Store::open(&db.location).await.unwrap();
    let routes: Routes = Arc::default();
    let address = serve(routes.clone());
    let (cfg, sources) = config(&address, &["/un.xml"]);
    let put = |reply: Reply| {
        routes.lock().unwrap().insert("/un.xml".into(), reply);
    };

    put(ok(un_xml(
        "2026-01-01",
        &["QDi.1", "QDi.2", "QDi.3", "QDi.4"],
    )));
    let first = update(&store, &cfg, &sources).await;
    let Outcome::Imported { reports, .. } = &first[0].outcome else {
        panic!("{first:?}")
    };
    assert_eq!((reports[0].revision, reports[0].added), (1, 4));
    let files = &store.revisions("un").await.unwrap()[0].files;
    assert_eq!(
        files[0].path,
        format!("{address}/un.xml"),
        "the revision records the URL"
    );

    // Unchanged at the source: nothing new is stored.
    let again = update(&store, &cfg, &sources).await;
    let Outcome::Imported { reports, .. } = &again[0].outcome else {
        panic!("{again:?}")
    };
    assert!(reports[0].already_imported);

    // A connection cut mid-file changes nothing.
    let mut cut = ok(un_xml("2026-02-01", &["QDi.1", "QDi.5"]));
    cut.announced = cut.body.len() + 500;
    put(cut);
    let outcome = update(&store, &cfg, &sources).await;
    assert!(
        matches!(&outcome[0].outcome, Outcome::Failed { error } if error.contains("incomplete") || error.contains("interrupted")),
        "{outcome:?}"
    );
    assert_eq!(revisions(&store).await, 1);

    // A well-formed file holding far fewer entities than the list is refused as implausible.
    put(ok(un_xml("2026-02-01", &["QDi.1"])));
    let outcome = update(&store, &cfg, &sources).await;
    assert!(
        matches!(&outcome[0].outcome, Outcome::Failed { error } if error.contains("implausible")),
        "{outcome:?}"
    );
    // A malformed file is refused by the reader.
    put(ok("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>".into()));
    let outcome = update(&store, &cfg, &sources).await;
    assert!(
        matches!(&outcome[0].outcome, Outcome::Failed { .. }),
        "{outcome:?}"
    );
    assert_eq!(revisions(&store).await, 1);

    // A real newer version: one delisted, one added.
    put(ok(un_xml(
        "2026-02-01",
        &["QDi.1", "QDi.2", "QDi.3", "QDi.5"],
    )));
    let outcome = update(&store, &cfg, &sources).await;
    let Outcome::Imported { reports, .. } = &outcome[0].outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        (reports[0].revision, reports[0].added, reports[0].delisted),
        (2, 1, 1)
    );
});

store_test!(a_missing_file_of_a_set_imports_nothing, |db| {
    let store = Store::open(&db.location).await.unwrap();
    let routes: Routes = Arc::default();
    let address = serve(routes.clone());
    routes
        .lock()
        .unwrap()
        .insert("/sdn.csv".into(), ok("36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n".into()));
    let (mut cfg, _) = config(&address, &["/sdn.csv", "/alt.csv"]);
    cfg.sources[0].name = "ofac".into();
    let sources = cfg.sources.clone();
    let outcome = update(&store, &cfg, &sources).await;
    assert!(
        matches!(&outcome[0].outcome, Outcome::Failed { error } if error.contains("alt.csv") && error.contains("404")),
        "{outcome:?}"
    );
    assert!(store.lists().await.unwrap().is_empty());
    // With the set complete, it imports.
    routes.lock().unwrap().insert(
        "/alt.csv".into(),
        ok("36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n".into()),
    );
    let outcome = update(&store, &cfg, &sources).await;
    assert!(
        matches!(&outcome[0].outcome, Outcome::Imported { .. }),
        "{outcome:?}"
    );
});

#[test]
fn configuration_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let good = write(
        "good.toml",
        "timeout_seconds = 5\n[[source]]\nname = \"un\"\nurls = [\"http://127.0.0.1:1/un.xml\"]\n",
    );
    let cfg = UpdateConfig::load(Some(&good)).unwrap();
    assert_eq!((cfg.timeout_seconds, cfg.sources.len()), (5, 1));
    assert!(cfg.select(&["ofac".into()]).is_err());
    assert_eq!(
        UpdateConfig::load(None).unwrap().sources.len(),
        2,
        "official defaults"
    );

    for (name, text, expected) in [
        ("syntax.toml", "[[source]\nname=", "syntax.toml"),
        ("unknown.toml", "colour = 1\n", "colour"),
        (
            "format.toml",
            "[[source]]\nname = \"un\"\nformat = \"pdf\"\nurls = [\"x\"]\n",
            "pdf",
        ),
        (
            "nourls.toml",
            "[[source]]\nname = \"un\"\nurls = []\n",
            "no urls",
        ),
        (
            "list.toml",
            "[[source]]\nname = \"UN list\"\nurls = [\"x\"]\n",
            "UN list",
        ),
    ] {
        let err = UpdateConfig::load(Some(&write(name, text)))
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{name}: {err}");
    }
}

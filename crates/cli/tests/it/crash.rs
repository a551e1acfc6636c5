//! Crash safety: `vigil` killed with SIGKILL during an import, during a list update and during
//! a burst of audited requests, on SQLite and PostgreSQL. Afterwards the store is consistent —
//! each list revision wholly there or wholly absent — and `vigil audit verify` passes.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vigil_testkit::store_test;

use crate::{list_counts, path, vigil};

/// How many organizations the generated list holds: enough that storing it takes a while, so
/// that the kills land before, during and after the commit.
const ORGANIZATIONS: usize = 20_000;

/// Delays after the start at which the process is killed.
const KILL_AFTER_MS: [u64; 6] = [30, 120, 300, 600, 1200, 2500];

fn national_csv(organizations: usize) -> String {
    let mut csv = String::from("id,schema,name,authority,legal_basis,listed_on\n");
    for i in 0..organizations {
        csv.push_str(&format!(
            "{i},Organization,Crash Test Front Number {i},RU,Decision {i},2003-02-14\n"
        ));
    }
    csv
}

fn spawn(db: &str, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["--db", db])
        .args(args)
        .env_remove("VIGIL_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the vigil binary starts")
}

/// SIGKILL (`Child::kill` on Unix), and reap.
fn kill_after(mut child: Child, delay: Duration) -> bool {
    std::thread::sleep(delay);
    let finished = matches!(child.try_wait(), Ok(Some(_)));
    let _ = child.kill();
    let _ = child.wait();
    finished
}

/// The list is absent, or present with every organization: never part of a revision.
#[track_caller]
fn whole_or_absent(db: &str, list: &str, expected: i64) -> bool {
    let counts = list_counts(db);
    match counts.iter().find(|c| c.0 == list) {
        None => false,
        Some((_, listed, _, revisions)) => {
            assert_eq!(
                *listed, expected,
                "a partial revision of {list}: {counts:?}"
            );
            assert_eq!(*revisions, 1, "{counts:?}");
            true
        }
    }
}

#[track_caller]
fn audit_verifies(db: &str) {
    let run = vigil(db, &["audit", "verify"]);
    assert_eq!(
        run.status, 0,
        "audit verify failed:\n{}\n{}",
        run.stdout, run.stderr
    );
}

store_test!(an_import_killed_at_any_moment_is_whole_or_absent, |db| {
    let db = db.location.as_str();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ru.csv");
    std::fs::write(&file, national_csv(ORGANIZATIONS)).unwrap();
    let file = path(&file);
    let mut landed = false;
    for delay in KILL_AFTER_MS {
        if landed {
            break;
        }
        let child = spawn(db, &["import", &file]);
        kill_after(child, Duration::from_millis(delay));
        landed = whole_or_absent(db, "ru", ORGANIZATIONS as i64);
        audit_verifies(db);
    }
    // Whatever the kills left, the import completes afterwards, once.
    vigil(db, &["import", &file]).ok();
    assert!(whole_or_absent(db, "ru", ORGANIZATIONS as i64));
    audit_verifies(db);
});

/// Serves `body` at every path until the test ends.
fn serve_file(body: Vec<u8>) -> String {
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
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    address
}

fn un_xml(people: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CONSOLIDATED_LIST dateGenerated=\"2026-03-01T00:00:00Z\">\n<INDIVIDUALS>\n",
    );
    for i in 0..people {
        xml.push_str(&format!(
            "<INDIVIDUAL><DATAID>{i}</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>PERSON</FIRST_NAME>\
             <SECOND_NAME>NUMBER {i}</SECOND_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>\
             <REFERENCE_NUMBER>QDi.{i}</REFERENCE_NUMBER><LISTED_ON>2001-01-25</LISTED_ON></INDIVIDUAL>\n"
        ));
    }
    xml.push_str("</INDIVIDUALS>\n<ENTITIES/>\n</CONSOLIDATED_LIST>\n");
    xml
}

store_test!(
    a_list_update_killed_at_any_moment_is_whole_or_absent,
    |db| {
        let db = db.location.as_str();
        let address = serve_file(un_xml(ORGANIZATIONS).into_bytes());
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("update.toml");
        std::fs::write(
        &config,
        format!("timeout_seconds = 30\n[[source]]\nname = \"un\"\nurls = [\"{address}/consolidated.xml\"]\n"),
    )
    .unwrap();
        let config = path(&config);
        let mut landed = false;
        for delay in KILL_AFTER_MS {
            if landed {
                break;
            }
            let child = spawn(db, &["lists", "update", "--config", &config]);
            kill_after(child, Duration::from_millis(delay));
            landed = whole_or_absent(db, "un", ORGANIZATIONS as i64);
            audit_verifies(db);
        }
        vigil(db, &["lists", "update", "--config", &config]).ok();
        assert!(whole_or_absent(db, "un", ORGANIZATIONS as i64));
        audit_verifies(db);
    }
);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// One screening request over a fresh connection; the status code, or `None` when the server
/// did not answer (it is being killed).
fn screen(port: u16, token: &str, name: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let body = format!("{{\"name\": \"{name}\"}}");
    let request = format!(
        "POST /api/v1/screen HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    reply.split_whitespace().nth(1)?.parse().ok()
}

store_test!(
    a_server_killed_during_audited_requests_leaves_a_chain_that_verifies,
    |db| {
        let db = db.location.as_str();
        vigil(
            db,
            &[
                "import",
                &crate::example("national_banned_organizations.csv"),
            ],
        )
        .ok();
        vigil(
            db,
            &[
                "user",
                "add",
                "officer",
                "--authority",
                "KZ",
                "--role",
                "officer",
            ],
        )
        .ok();
        let token = vigil(db, &["token", "create", "officer"])
            .ok()
            .stdout
            .trim()
            .to_string();
        for round in 0..3 {
            let port = free_port();
            let server = spawn(db, &["serve", "--listen", &format!("127.0.0.1:{port}")]);
            let started = Instant::now();
            while screen(port, &token, "warmup").is_none() {
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "the server did not start"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
            let workers: Vec<_> = (0..4)
                .map(|w| {
                    let token = token.clone();
                    std::thread::spawn(move || {
                        let mut answered = 0;
                        for i in 0..400 {
                            match screen(port, &token, &format!("Front {w} {i}")) {
                                Some(200) => answered += 1,
                                // The rate limiter's answer is an answer too.
                                Some(429) => {}
                                Some(other) => panic!("status {other} before the kill"),
                                None => break,
                            }
                        }
                        answered
                    })
                })
                .collect();
            kill_after(server, Duration::from_millis(300 + 400 * round));
            let answered: usize = workers.into_iter().map(|w| w.join().unwrap_or(0)).sum();
            assert!(
                answered > 0,
                "round {round}: no request was answered before the kill"
            );
            audit_verifies(db);
        }
        // The store opens and serves again.
        let port = free_port();
        let server = spawn(db, &["serve", "--listen", &format!("127.0.0.1:{port}")]);
        let started = Instant::now();
        let status = loop {
            if let Some(s) = screen(port, &token, "Crash Test") {
                break s;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server did not restart"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        kill_after(server, Duration::ZERO);
        assert_eq!(status, 200);
        audit_verifies(db);
    }
);

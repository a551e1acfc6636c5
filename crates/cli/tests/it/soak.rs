//! A bounded soak of `vigil serve` in CI (VIGIL_SOAK_SECONDS per backend, default 60): half the
//! time mixed traffic within the per-token rate limit — no error at all, memory flat — then half
//! at twice what the limit sustains — the server sheds with 429/503, answers every request,
//! stays up, and its audit chain verifies. `scripts/soak.sh` runs the same for 30 minutes.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vigil_testkit::store_test;

use crate::{example, vigil};

fn soak_seconds() -> f64 {
    std::env::var("VIGIL_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60.0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn healthy(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    reply.starts_with("HTTP/1.1 200")
}

fn statuses(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    let mut out = Vec::new();
    if let Some(kinds) = report["kinds"].as_object() {
        for (kind, k) in kinds {
            if let Some(s) = k["statuses"].as_object() {
                for (status, n) in s {
                    out.push((kind.clone(), status.clone(), n.as_u64().unwrap_or(0)));
                }
            }
        }
    }
    out
}

store_test!(soak_then_overload, |db| {
    let db = db.location.as_str();
    let list = example("national_banned_organizations.csv");
    vigil(db, &["import", &list]).ok();
    let mut tokens = Vec::new();
    for (user, authority, role) in [
        ("soak-officer", "KZ", "officer"),
        ("soak-analyst", "KZ", "analyst"),
        ("soak-admin", "RATS-EC", "admin"),
    ] {
        vigil(
            db,
            &[
                "user",
                "add",
                user,
                "--authority",
                authority,
                "--role",
                role,
            ],
        )
        .ok();
        tokens.push(
            vigil(db, &["token", "create", user])
                .ok()
                .stdout
                .trim()
                .to_string(),
        );
    }
    let port = free_port();
    // Each token may make 100 requests/s (burst 100): the officer's share of 60/s is 51/s.
    let mut server = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args([
            "--db",
            db,
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .args(["--rate-per-sec", "100", "--burst", "100"])
        .env_remove("VIGIL_DB")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("vigil serve starts");
    let started = Instant::now();
    while !healthy(port) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let half = format!("{}", soak_seconds() / 2.0);
    let url = format!("http://127.0.0.1:{port}");
    let pid = server.id().to_string();
    let soak = |rate: &str| {
        let run = vigil(
            db,
            &[
                "bench",
                "soak",
                "--url",
                &url,
                "--officer-token",
                &tokens[0],
                "--analyst-token",
                &tokens[1],
                "--admin-token",
                &tokens[2],
                "--list-file",
                &list,
                "--seconds",
                &half,
                "--rate",
                rate,
                "--server-pid",
                &pid,
            ],
        )
        .ok();
        serde_json::from_str::<serde_json::Value>(run.stdout.trim())
            .unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
    };

    let steady = soak("60");
    assert_eq!(steady["transport_errors"], 0, "{steady}");
    assert!(
        steady["requests"].as_u64().unwrap() as f64 > 60.0 * soak_seconds() / 2.0 * 0.8,
        "{steady}"
    );
    for (kind, status, n) in statuses(&steady) {
        assert!(
            status == "200" || status == "201",
            "{n} {kind} answered {status} within the rate limit: {steady}"
        );
    }
    let memory = &steady["server_rss_mib"];
    if let (Some(warm), Some(end)) = (memory["after_warmup"].as_f64(), memory["end"].as_f64()) {
        assert!(
            end <= warm * 1.5 + 16.0,
            "memory grew from {warm} to {end} MiB: {steady}"
        );
    }

    let overload = soak("240");
    assert_eq!(
        overload["transport_errors"], 0,
        "every request is answered: {overload}"
    );
    let mut shed = 0;
    for (kind, status, n) in statuses(&overload) {
        assert!(
            ["200", "201", "429", "503"].contains(&status.as_str()),
            "{n} {kind} answered {status} under overload: {overload}"
        );
        if status == "429" || status == "503" {
            shed += n;
        }
    }
    assert!(shed > 0, "twice the sustainable rate is shed: {overload}");
    assert!(matches!(server.try_wait(), Ok(None)), "the server stopped");
    assert!(healthy(port), "the server answers after the overload");
    let _ = server.kill();
    let _ = server.wait();
    vigil(db, &["audit", "verify"]).ok();
});

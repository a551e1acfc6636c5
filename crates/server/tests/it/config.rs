use std::time::Duration;

use vigil_server::{ConfigError, ServeSettings};

fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vigil.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn file_then_environment_then_flags() {
    let (_dir, path) = write(
        "listen = \"0.0.0.0:9000\"\nrate_per_sec = 10\nburst = 20.0\nupdate_interval_hours = 6\n\
         request_timeout_seconds = 5\nmax_in_flight = 64\n",
    );
    let file = ServeSettings::load(&path).unwrap();
    assert_eq!(file.listen(), "0.0.0.0:9000");
    assert_eq!(file.update_interval(), Some(Duration::from_secs(6 * 3600)));
    let env = ServeSettings::from_env(|k| match k {
        "VIGIL_RATE_PER_SEC" => Some("99".into()),
        "VIGIL_LISTEN" => Some("127.0.0.1:7000".into()),
        _ => None,
    })
    .unwrap();
    let flags = ServeSettings {
        listen: Some("127.0.0.1:7001".into()),
        ..ServeSettings::default()
    };
    let merged = file.overridden_by(env).overridden_by(flags);
    assert_eq!(merged.listen(), "127.0.0.1:7001");
    let config = merged.server_config();
    assert_eq!(config.rate_per_sec, 99.0);
    assert_eq!(config.burst, 20.0);
    assert_eq!(config.max_in_flight, 64);
    assert_eq!(config.request_timeout, Duration::from_secs(5));
    assert_eq!(ServeSettings::default().listen(), "127.0.0.1:8080");
    assert_eq!(ServeSettings::default().update_interval(), None);
}

#[test]
fn errors_name_the_file_or_variable() {
    for (text, expect) in [
        ("listen = 5\n", "listen"),
        ("lisen = \"x\"\n", "lisen"),
        ("rate_per_sec = -1\n", "rate_per_sec"),
        ("max_in_flight = 0\n", "max_in_flight"),
        ("max_in_flight = -3\n", "max_in_flight"),
        ("tls_cert = \"a.pem\"\n", "tls_key"),
        ("not toml at all", ""),
    ] {
        let (_dir, path) = write(text);
        let err = ServeSettings::load(&path).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { .. }), "{err}");
        let message = err.to_string();
        assert!(message.contains("vigil.toml"), "{message}");
        assert!(message.contains(expect), "{message}");
    }
    let missing = ServeSettings::load(std::path::Path::new("/nonexistent/vigil.toml")).unwrap_err();
    assert!(missing.to_string().contains("/nonexistent/vigil.toml"));
    let env = ServeSettings::from_env(|k| (k == "VIGIL_BURST").then(|| "lots".into())).unwrap_err();
    assert!(env.to_string().contains("VIGIL_BURST"), "{env}");
}

#[test]
fn audit_anchor_settings() {
    let (_dir, path) = write(
        "audit_anchor_file = \"/var/lib/anchors.jsonl\"\naudit_anchor_minutes = 15\n\
         audit_anchor_entries = 1000\n",
    );
    let file = ServeSettings::load(&path).unwrap();
    assert_eq!(
        file.audit_anchor(),
        Some((
            std::path::PathBuf::from("/var/lib/anchors.jsonl"),
            Duration::from_secs(15 * 60),
            Some(1000)
        ))
    );
    let env = ServeSettings::from_env(|k| match k {
        "VIGIL_AUDIT_ANCHOR_MINUTES" => Some("0.5".into()),
        _ => None,
    })
    .unwrap();
    let merged = file.overridden_by(env);
    assert_eq!(
        merged.audit_anchor().map(|a| a.1),
        Some(Duration::from_secs(30))
    );
    // Without a file there is no anchoring, whatever the interval; with one, hourly by default.
    assert_eq!(ServeSettings::default().audit_anchor(), None);
    let only_file = ServeSettings {
        audit_anchor_file: Some("a.jsonl".into()),
        ..ServeSettings::default()
    };
    assert_eq!(
        only_file.audit_anchor(),
        Some(("a.jsonl".into(), Duration::from_secs(3600), None))
    );
    for (text, expect) in [
        ("audit_anchor_minutes = 0\n", "audit_anchor_minutes"),
        ("audit_anchor_minutes = 1e300\n", "audit_anchor_minutes"),
        ("audit_anchor_entries = 0\n", "audit_anchor_entries"),
        ("audit_anchor_entries = -3\n", "audit_anchor_entries"),
        ("audit_anchor_file = 3\n", "audit_anchor_file"),
    ] {
        let (_dir, path) = write(text);
        let message = ServeSettings::load(&path).unwrap_err().to_string();
        assert!(message.contains(expect), "{text}: {message}");
    }
    let env =
        ServeSettings::from_env(|k| (k == "VIGIL_AUDIT_ANCHOR_ENTRIES").then(|| "many".into()))
            .unwrap_err();
    assert!(
        env.to_string().contains("VIGIL_AUDIT_ANCHOR_ENTRIES"),
        "{env}"
    );
}

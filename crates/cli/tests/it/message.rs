//! `vigil message send|list|show|reply` and `vigil export --format stix` end to end.

use vigil_testkit::store_test;

use crate::{example, path, vigil};

const AMBER: [&str; 6] = [
    "--classification",
    "restricted",
    "--handling",
    "intelligence_only",
    "--tlp",
    "AMBER",
];

fn with(base: &[&str], extra: &[&str]) -> Vec<String> {
    base.iter().chain(extra).map(|s| s.to_string()).collect()
}

fn run(db: &str, args: &[String]) -> crate::Run {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    vigil(db, &refs)
}

store_test!(messages_from_the_command_line, |db| {
    let db = db.location.as_str();
    let dir = tempfile::tempdir().unwrap();
    vigil(
        db,
        &["import", &example("national_banned_organizations.csv")],
    )
    .ok();
    vigil(
        db,
        &[
            "user",
            "add",
            "kz_officer",
            "--authority",
            "KZ-KNB",
            "--role",
            "officer",
        ],
    )
    .ok();
    vigil(
        db,
        &[
            "user",
            "add",
            "ru_analyst",
            "--authority",
            "RU",
            "--role",
            "analyst",
        ],
    )
    .ok();
    let note = dir.path().join("note.txt");
    std::fs::write(&note, "passport N1234567").unwrap();
    let fake_pdf = dir.path().join("scan.pdf");
    std::fs::write(&fake_pdf, "not a pdf").unwrap();
    let send = [
        "message",
        "send",
        "--as",
        "kz_officer",
        "--kind",
        "request",
        "--to",
        "RU",
        "--subject",
        "ru:1",
        "--title",
        "Who is this?",
        "--priority",
        "urgent",
    ];
    // Refusals: a marking that does not exist, an unknown recipient, a mislabelled attachment,
    // an unknown user. Nothing is sent.
    let r = run(
        db,
        &with(
            &send,
            &[
                "--classification",
                "restricted",
                "--handling",
                "free",
                "--tlp",
                "PURPLE",
            ],
        ),
    )
    .failed();
    assert!(r.stderr.contains("markings.tlp"), "{}", r.stderr);
    let mut bad_to = with(&send, &AMBER);
    bad_to[7] = "XX-NOBODY".into();
    let r = run(db, &bad_to).failed();
    assert!(r.stderr.contains("recipients[0]"), "{}", r.stderr);
    let r = run(
        db,
        &with(
            &send,
            &[&AMBER[..], &["--attach", &path(&fake_pdf)]].concat(),
        ),
    )
    .failed();
    assert!(r.stderr.contains("mislabelled_attachment"), "{}", r.stderr);
    let mut nobody = with(&send, &AMBER);
    nobody[3] = "nobody".into();
    let r = run(db, &nobody).failed();
    assert!(r.stderr.contains("no such user"), "{}", r.stderr);
    let none = vigil(db, &["message", "list", "--as", "ru_analyst", "--json"]).ok();
    assert!(none.stdout.is_empty(), "{}", none.stdout);

    // The story: KZ's officer asks, RU's analyst reads and replies, KZ reads the answer.
    let sent = run(
        db,
        &with(&send, &[&AMBER[..], &["--attach", &path(&note)]].concat()),
    )
    .ok();
    let message = &sent.json_lines()[0];
    let id = message["id"].to_string();
    assert_eq!(message["attachments"][0]["media_type"], "text/plain");
    let inbox = vigil(
        db,
        &[
            "message",
            "list",
            "--as",
            "ru_analyst",
            "--box",
            "inbox",
            "--unread",
            "--json",
        ],
    )
    .ok();
    assert_eq!(inbox.json_lines().len(), 1);
    let shown = vigil(db, &["message", "show", "--as", "ru_analyst", &id]).ok();
    assert!(shown.stdout.contains("Who is this?"), "{}", shown.stdout);
    assert!(shown.stdout.contains("TLP:AMBER"), "{}", shown.stdout);
    let table = vigil(db, &["message", "list", "--as", "kz_officer"]).ok();
    assert!(table.stdout.contains("read"), "{}", table.stdout);
    // Only a recipient replies.
    let r = run(
        db,
        &with(
            &[
                "message",
                "reply",
                "--as",
                "kz_officer",
                &id,
                "--title",
                "me again",
            ],
            &AMBER,
        ),
    )
    .failed();
    assert!(r.stderr.contains("never received"), "{}", r.stderr);
    let replied = run(
        db,
        &with(
            &[
                "message",
                "reply",
                "--as",
                "ru_analyst",
                &id,
                "--title",
                "Known to us",
                "--body",
                "Detain",
            ],
            &AMBER,
        ),
    )
    .ok();
    let reply_id = replied.json_lines()[0]["id"].to_string();
    let answer = vigil(
        db,
        &["message", "show", "--as", "kz_officer", &reply_id, "--json"],
    )
    .ok();
    assert_eq!(answer.json_lines()[0]["body"], "Detain");
    let original = vigil(
        db,
        &["message", "show", "--as", "kz_officer", &id, "--json"],
    )
    .ok();
    assert_eq!(original.json_lines()[0]["state"], "answered");

    // STIX: the officer's view holds the exchange; the public view does not.
    let mine = vigil(db, &["export", "--format", "stix", "--as", "kz_officer"]).ok();
    let bundle = &mine.json_lines()[0];
    let objects = bundle["objects"].as_array().unwrap();
    assert!(objects.iter().any(|o| o["type"] == "report"));
    // Officers screen but do not browse the register: their view holds no designations.
    assert!(!objects.iter().any(|o| o["type"] == "threat-actor"));
    let analyst = vigil(db, &["export", "--format", "stix", "--as", "ru_analyst"]).ok();
    let objects = analyst.json_lines()[0]["objects"]
        .as_array()
        .unwrap()
        .clone();
    assert!(objects.iter().any(|o| o["type"] == "report"));
    assert!(objects.iter().any(|o| o["type"] == "threat-actor"));
    let public = vigil(db, &["export", "--format", "stix"]).ok();
    let objects = public.json_lines()[0]["objects"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!objects.iter().any(|o| o["type"] == "report"));
    assert!(
        objects.iter().any(|o| o["type"] == "threat-actor"),
        "the example list is public"
    );
    vigil(db, &["export", "--format", "stix", "--as-of", "2024-01-01"]).failed();

    // Every step is audited as its user, and the chain verifies.
    let audit = vigil(db, &["audit", "list", "--json", "--user", "kz_officer"]).ok();
    let actions: Vec<String> = audit
        .json_lines()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap()
            )
        })
        .collect();
    for want in [
        "message.send:failed",
        "message.send:success",
        "message.reply:denied",
        "message.read:success",
        "export.stix:success",
    ] {
        assert!(
            actions.iter().any(|a| a == want),
            "{want} missing: {actions:?}"
        );
    }
    vigil(db, &["audit", "verify"]).ok();
});

store_test!(
    forward_and_attachment_download_from_the_command_line,
    |db| {
        let db = db.location.as_str();
        let dir = tempfile::tempdir().unwrap();
        vigil(
            db,
            &["import", &example("national_banned_organizations.csv")],
        )
        .ok();
        for (user, authority) in [
            ("kz_analyst", "KZ-KNB"),
            ("ru_analyst", "RU"),
            ("cn_analyst", "CN"),
            ("fsb", "RU-FSB"),
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
                    "analyst",
                ],
            )
            .ok();
        }
        let note = dir.path().join("note.txt");
        std::fs::write(&note, "passport N1234567").unwrap();
        let send = |handling: &str| {
            let args = [
                "message",
                "send",
                "--as",
                "kz_analyst",
                "--kind",
                "request",
                "--to",
                "RU",
                "--subject",
                "ru:1",
                "--title",
                "Who is this?",
                "--classification",
                "restricted",
                "--handling",
                handling,
                "--tlp",
                "AMBER",
                "--attach",
                &path(&note),
            ];
            vigil(db, &args).ok().json_lines()[0]["id"].to_string()
        };
        let id = send("free");
        // The attachment, saved by a recipient; never over an existing file; not for others.
        let out = dir.path().join("saved.txt");
        let saved = vigil(
            db,
            &[
                "message",
                "show",
                "--as",
                "ru_analyst",
                &id,
                "--attachment",
                "0",
                "--output",
                &path(&out),
            ],
        )
        .ok();
        assert!(saved.stderr.contains("note.txt"), "{}", saved.stderr);
        assert_eq!(std::fs::read(&out).unwrap(), b"passport N1234567");
        let again = vigil(
            db,
            &[
                "message",
                "show",
                "--as",
                "ru_analyst",
                &id,
                "--attachment",
                "0",
                "--output",
                &path(&out),
            ],
        )
        .failed();
        assert!(again.stderr.contains("exists"), "{}", again.stderr);
        let other = dir.path().join("other.txt");
        let missing = vigil(
            db,
            &[
                "message",
                "show",
                "--as",
                "ru_analyst",
                &id,
                "--attachment",
                "3",
                "--output",
                &path(&other),
            ],
        )
        .failed();
        assert!(missing.stderr.contains("not_found"), "{}", missing.stderr);
        let stranger = vigil(
            db,
            &[
                "message",
                "show",
                "--as",
                "cn_analyst",
                &id,
                "--attachment",
                "0",
                "--output",
                &path(&other),
            ],
        )
        .failed();
        assert!(stranger.stderr.contains("not_found"), "{}", stranger.stderr);
        assert!(!other.exists());
        let lone = vigil(
            db,
            &[
                "message",
                "show",
                "--as",
                "ru_analyst",
                &id,
                "--attachment",
                "0",
            ],
        )
        .failed();
        assert!(lone.stderr.contains("--output"), "{}", lone.stderr);

        // Forwarding: AMBER within the forwarder's member state, not beyond.
        let fwd = vigil(
            db,
            &[
                "message",
                "forward",
                "--as",
                "ru_analyst",
                &id,
                "--to",
                "RU-FSB",
                "--note",
                "For you",
            ],
        )
        .ok();
        let new = &fwd.json_lines()[0];
        assert_eq!(new["forwarded_from"].to_string(), id);
        assert_eq!(new["attachments"].as_array().unwrap().len(), 1);
        let inbox = vigil(
            db,
            &["message", "list", "--as", "fsb", "--box", "inbox", "--json"],
        )
        .ok();
        // The original (to every authority of RU) and the forward.
        let forwarded: Vec<_> = inbox
            .json_lines()
            .into_iter()
            .filter(|m| m["forwarded_from"] == id.parse::<i64>().unwrap())
            .collect();
        assert_eq!(forwarded.len(), 1, "{}", inbox.stdout);
        assert!(forwarded[0]["body"]
            .as_str()
            .unwrap()
            .starts_with("For you"));
        let abroad = vigil(
            db,
            &[
                "message",
                "forward",
                "--as",
                "ru_analyst",
                &id,
                "--to",
                "CN",
            ],
        )
        .failed();
        assert!(
            abroad.stderr.contains("handling_forbids"),
            "{}",
            abroad.stderr
        );
        let asked = send("ask_before_forwarding");
        let refused = vigil(
            db,
            &[
                "message",
                "forward",
                "--as",
                "ru_analyst",
                &asked,
                "--to",
                "RU-FSB",
            ],
        )
        .failed();
        assert!(
            refused.stderr.contains("handling_forbids"),
            "{}",
            refused.stderr
        );
        let cn = vigil(db, &["message", "list", "--as", "cn_analyst", "--json"]).ok();
        assert!(cn.stdout.is_empty(), "{}", cn.stdout);
        let audit = vigil(
            db,
            &["audit", "list", "--json", "--action", "message.forward"],
        )
        .ok();
        let outcomes: Vec<String> = audit
            .json_lines()
            .iter()
            .map(|e| e["outcome"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(
            outcomes.iter().filter(|o| *o == "success").count(),
            1,
            "{outcomes:?}"
        );
        assert_eq!(
            outcomes.iter().filter(|o| *o == "denied").count(),
            2,
            "{outcomes:?}"
        );
    }
);

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityKind {
    /// A member state of the structure; its code is its ISO 3166-1 alpha-2 code.
    MemberState,
    /// A member state's security service, border guard, police or financial intelligence unit.
    CompetentAuthority,
    /// The structure's own Executive Committee (`RATS-EC`).
    ExecutiveCommittee,
    /// An international body (UN Security Council, INTERPOL).
    InternationalBody,
    /// A foreign state's list-keeping body (US OFAC).
    ForeignAuthority,
    /// Observers, dialogue partners and partner organizations.
    Partner,
}

/// A body that designates entities, contributes records or uses the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
    pub code: String,
    pub name: String,
    pub kind: AuthorityKind,
    /// ISO 3166-1 alpha-2 code of the state the authority belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub country: Option<String>,
    /// The member state or body this authority belongs to (`RU` for `RU-FSB`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parent: Option<String>,
}

impl Authority {
    fn new(code: &str, name: &str, kind: AuthorityKind, country: Option<&str>) -> Self {
        Self {
            code: code.to_string(),
            name: name.to_string(),
            kind,
            country: country.map(str::to_string),
            parent: None,
        }
    }
}

/// The SCO member states (2025) and the bodies whose lists Vigil imports, seeded into every store.
pub fn seed_authorities() -> Vec<Authority> {
    use AuthorityKind::*;
    let members = [
        ("CN", "China"),
        ("IN", "India"),
        ("IR", "Iran"),
        ("KZ", "Kazakhstan"),
        ("KG", "Kyrgyzstan"),
        ("PK", "Pakistan"),
        ("RU", "Russia"),
        ("TJ", "Tajikistan"),
        ("UZ", "Uzbekistan"),
        ("BY", "Belarus"),
    ];
    let mut all: Vec<Authority> = members
        .iter()
        .map(|(code, name)| Authority::new(code, name, MemberState, Some(code)))
        .collect();
    all.extend([
        Authority::new(
            "RATS-EC",
            "Executive Committee of the SCO Regional Anti-Terrorist Structure",
            ExecutiveCommittee,
            None,
        ),
        Authority::new(
            "UNSC",
            "United Nations Security Council",
            InternationalBody,
            None,
        ),
        Authority::new(
            "INTERPOL",
            "International Criminal Police Organization",
            InternationalBody,
            None,
        ),
        Authority::new(
            "US-OFAC",
            "Office of Foreign Assets Control, US Department of the Treasury",
            ForeignAuthority,
            Some("US"),
        ),
    ]);
    all
}

//! Who may do and see what: users' roles, the caller of a request, and the distribution rule
//! every read path applies.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{seed_authorities, AuthorityKind, Distribution};

/// The executive committee's authority code.
pub const EXECUTIVE_COMMITTEE: &str = "RATS-EC";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Analyst,
    /// Border and police officers: screening only, no browsing of the register.
    Officer,
    Secretariat,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Analyst,
        Role::Officer,
        Role::Secretariat,
        Role::Auditor,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Officer => "officer",
            Role::Secretariat => "secretariat",
            Role::Auditor => "auditor",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
    /// Browsing entities, lists, revisions, history and diffs.
    pub fn may_read_register(self) -> bool {
        self != Role::Officer
    }
    /// Adding, amending and withdrawing the own authority's national designations.
    pub fn may_designate(self) -> bool {
        matches!(self, Role::Admin | Role::Analyst)
    }
    pub fn may_import(self) -> bool {
        self == Role::Admin
    }
    pub fn may_read_audit(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The member state an authority code belongs to: `RU` for `RU` and `RU-FSB`; none for the
/// executive committee, international bodies and foreign authorities.
pub fn member_state_of(authority: &str) -> Option<String> {
    let head = authority.split('-').next().unwrap_or(authority);
    seed_authorities()
        .into_iter()
        .any(|a| a.kind == AuthorityKind::MemberState && a.code == head)
        .then(|| head.to_string())
}

/// The authenticated user a request acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub user: String,
    pub authority: String,
    pub kind: AuthorityKind,
    /// Derived from `authority`, never given: `RU-FSB` → `RU`.
    pub member_state: Option<String>,
    pub role: Role,
}

impl Caller {
    pub fn new(user: &str, authority: &str, kind: AuthorityKind, role: Role) -> Self {
        Self {
            user: user.to_string(),
            authority: authority.to_string(),
            kind,
            member_state: member_state_of(authority),
            role,
        }
    }

    /// A member state's authority, or the executive committee.
    pub fn is_member(&self) -> bool {
        self.member_state.is_some() || self.kind == AuthorityKind::ExecutiveCommittee
    }
}

/// Whether `caller` may see a record with `distribution` contributed by `originator` (the
/// authority of the list the record belongs to). Records the caller may not see must be absent
/// from every answer, not refused, so that their existence does not leak.
pub fn may_see(caller: &Caller, distribution: &Distribution, originator: &str) -> bool {
    let originator_state = member_state_of(originator);
    let same_origin = caller.authority == originator
        || (caller.member_state.is_some() && caller.member_state == originator_state);
    match distribution {
        Distribution::Originator => same_origin,
        Distribution::States(states) => {
            same_origin
                || caller
                    .member_state
                    .as_ref()
                    .is_some_and(|own| states.iter().any(|s| s.eq_ignore_ascii_case(own)))
        }
        Distribution::AllMembers => same_origin || caller.is_member(),
        Distribution::MembersAndPartners => {
            same_origin
                || caller.is_member()
                || matches!(
                    caller.kind,
                    AuthorityKind::Partner | AuthorityKind::InternationalBody
                )
        }
        Distribution::Public => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AuthorityKind::*;

    fn caller(authority: &str, kind: AuthorityKind) -> Caller {
        Caller::new("u", authority, kind, Role::Analyst)
    }

    #[test]
    fn member_states_are_derived() {
        assert_eq!(member_state_of("RU-FSB").as_deref(), Some("RU"));
        assert_eq!(member_state_of("KZ").as_deref(), Some("KZ"));
        assert_eq!(member_state_of("RATS-EC"), None);
        assert_eq!(member_state_of("US-OFAC"), None);
        assert_eq!(member_state_of("UNSC"), None);
        assert_eq!(
            caller("IN-NIA", CompetentAuthority).member_state.as_deref(),
            Some("IN")
        );
    }

    #[test]
    fn roles_parse_and_permit() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(!Role::Officer.may_read_register());
        assert!(Role::Analyst.may_designate() && !Role::Secretariat.may_designate());
        assert!(Role::Admin.may_import() && !Role::Analyst.may_import());
        assert!(Role::Auditor.may_read_audit() && !Role::Analyst.may_read_audit());
    }

    /// Every caller kind against every distribution of a record contributed by Russia's FSB.
    #[test]
    fn distribution_matrix() {
        let ru_fsb = caller("RU-FSB", CompetentAuthority);
        let ru = caller("RU", MemberState);
        let kz = caller("KZ-KNB", CompetentAuthority);
        let cn = caller("CN", MemberState);
        let ec = caller("RATS-EC", ExecutiveCommittee);
        let partner = caller("ASEAN", Partner);
        let intl = caller("INTERPOL", InternationalBody);
        let foreign = caller("US-OFAC", ForeignAuthority);
        let callers = [&ru_fsb, &ru, &kz, &cn, &ec, &partner, &intl, &foreign];
        let states = Distribution::States(vec!["KZ".into()]);
        let expected: [(&Distribution, [bool; 8]); 5] = [
            (
                &Distribution::Originator,
                [true, true, false, false, false, false, false, false],
            ),
            (
                &states,
                [true, true, true, false, false, false, false, false],
            ),
            (
                &Distribution::AllMembers,
                [true, true, true, true, true, false, false, false],
            ),
            (
                &Distribution::MembersAndPartners,
                [true, true, true, true, true, true, true, false],
            ),
            (&Distribution::Public, [true; 8]),
        ];
        for (distribution, row) in expected {
            for (c, want) in callers.iter().zip(row) {
                assert_eq!(
                    may_see(c, distribution, "RU-FSB"),
                    want,
                    "{} seeing {distribution:?}",
                    c.authority
                );
            }
        }
    }

    #[test]
    fn records_of_bodies_without_a_state() {
        let ec = caller("RATS-EC", ExecutiveCommittee);
        let ru = caller("RU", MemberState);
        assert!(may_see(&ec, &Distribution::Originator, "RATS-EC"));
        assert!(!may_see(&ru, &Distribution::Originator, "RATS-EC"));
        // The UN and OFAC lists are public.
        let foreign = caller("US-OFAC", ForeignAuthority);
        assert!(may_see(&foreign, &Distribution::Public, "UNSC"));
    }
}

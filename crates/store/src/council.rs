//! The council's records: members, the chair, meetings, delegations and documents, decisions
//! with positions and tasks, the budget, partners and plans. Every write checks its rules
//! (`vigil-council`) inside its transaction and commits together with its audit entry; a
//! refused write changes nothing. Positions, recorded chair terms, document versions,
//! payments and task reports are append-only, and a decision that is no longer open is frozen
//! (triggers in migration 0005).

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use vigil_council::chair::{self, ChairTerm, Rotation};
use vigil_council::consensus::{self, Position, Procedure, Status};
use vigil_council::money::{self, Contribution, Money};
use vigil_council::{Date, RuleError};

use crate::audit::append_in;
use crate::{get, get_json, Backend, NewAuditEntry, Result, Store, StoreError};

/// Key of the PostgreSQL advisory lock that serializes council writes (each checks state it
/// then changes, such as a decision's status).
const COUNCIL_LOCK: i64 = 7_411_126;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

fn rule(e: RuleError) -> StoreError {
    StoreError::CouncilRule(e)
}

fn conflict(e: RuleError) -> StoreError {
    StoreError::CouncilConflict(e)
}

fn date(row: &AnyRow, column: &str) -> Result<Date> {
    let text: String = get(row, column)?;
    Date::parse(column, &text).map_err(|e| StoreError::Corrupt {
        what: format!("council {column}"),
        detail: e.to_string(),
    })
}

fn optional_date(row: &AnyRow, column: &str) -> Result<Option<Date>> {
    let text: Option<String> = get(row, column)?;
    text.map(|t| {
        Date::parse(column, &t).map_err(|e| StoreError::Corrupt {
            what: format!("council {column}"),
            detail: e.to_string(),
        })
    })
    .transpose()
}

fn check_text(field: &str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() && max > 0 {
        return Err(rule(RuleError::new(field, "must not be empty")));
    }
    if value.len() > max || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(rule(RuleError::new(
            field,
            format!("at most {max} bytes and no control characters"),
        )));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouncilMember {
    pub state: String,
    pub name: String,
    /// `member`, `observer` or `dialogue_partner`.
    pub status: String,
    pub since: Date,
    pub until: Option<Date>,
}

pub const BODY_KINDS: [&str; 4] = [
    "council",
    "executive_committee",
    "heads_of_state",
    "expert_group",
];

/// A body of the organization: the Council, the Executive Committee, the Council of Heads of
/// State (seeded) or an expert group (added by the secretariat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouncilBody {
    /// Assigned by the store; ignored on input.
    #[serde(default)]
    pub id: i64,
    /// Short code that names the body in representatives, e.g. `council`, `legal-experts`.
    pub code: String,
    /// One of [`BODY_KINDS`].
    pub kind: String,
    pub name: String,
    pub since: Date,
    #[serde(default)]
    pub until: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Representative {
    /// Assigned by the store; ignored on input.
    #[serde(default)]
    pub id: i64,
    /// The body's code (`council`, `executive_committee`, `heads_of_state`, an expert group's
    /// code). On input, `body` or `body_id` names the body (both: they must agree).
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub body_id: Option<i64>,
    pub state: String,
    pub person: String,
    pub role: String,
    pub since: Date,
    pub until: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMeeting {
    pub kind: String,
    pub title: String,
    pub host_state: String,
    pub venue: String,
    pub starts: Date,
    pub ends: Date,
    #[serde(default)]
    pub agenda: Vec<String>,
    /// The meeting this one is a side event of.
    #[serde(default)]
    pub parent_id: Option<i64>,
}

pub const MEETING_KINDS: [&str; 4] = ["regular", "extraordinary", "expert_group", "side_event"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub host_state: String,
    pub venue: String,
    pub starts: Date,
    pub ends: Date,
    pub agenda: Vec<String>,
    pub minutes: String,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDelegate {
    pub state: String,
    pub name: String,
    pub role: String,
    pub arrival: Date,
    pub departure: Date,
    pub entry_point: String,
    /// `not_required`, `requested`, `issued` or `refused`.
    pub visa_status: String,
}

pub const VISA_STATUSES: [&str; 4] = ["not_required", "requested", "issued", "refused"];

/// An output (serialized only: its input is flattened in and refuses unknown fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delegate {
    pub id: i64,
    pub meeting_id: i64,
    #[serde(flatten)]
    pub delegate: NewDelegate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDocument {
    pub symbol: String,
    pub stage: String,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: i64,
    pub meeting_id: Option<i64>,
    pub symbol: String,
    pub version: i64,
    pub stage: String,
    pub title: String,
    pub body: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    /// e.g. `RATS-C/2026/12`.
    pub number: String,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub meeting_id: Option<i64>,
    pub procedure: Procedure,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionRecord {
    pub state: String,
    pub position: Position,
    pub in_writing: bool,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub text: String,
    pub meeting_id: Option<i64>,
    pub procedure: Procedure,
    pub status: Status,
    pub decided_at: Option<String>,
    /// Each member state's current position (`not_yet` where none was recorded).
    pub positions: Vec<PositionRecord>,
    pub tasks: Vec<Task>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    pub description: String,
    pub authority: String,
    pub due: Date,
}

pub const TASK_STATUSES: [&str; 3] = ["open", "in_progress", "done"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskReport {
    pub status: String,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: i64,
    pub decision_id: i64,
    pub decision_number: String,
    pub description: String,
    pub authority: String,
    pub due: Date,
    pub status: String,
    pub reports: Vec<TaskReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub state: String,
    pub amount: Money,
    pub currency: String,
    pub received_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    pub year: i64,
    pub total: Money,
    pub currency: String,
    pub contributions: Vec<Contribution>,
    pub total_due: Money,
    pub total_paid: Money,
    pub total_arrears: Money,
    pub payments: Vec<Payment>,
}

pub const PLAN_KINDS: [&str; 5] = [
    "programme",
    "work_plan",
    "joint_plan",
    "agreement",
    "exercise",
];
pub const ACTION_STATUSES: [&str; 4] = ["planned", "in_progress", "done", "cancelled"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub partner: Option<String>,
    pub owner: String,
    pub starts: Date,
    pub ends: Date,
    /// Free-form details: an exercise's participants, scenario and evaluation; an agreement's
    /// signing date and place.
    #[serde(default)]
    pub details: serde_json::Value,
    /// Required for kind `exercise`, refused for other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exercise: Option<Exercise>,
    /// Required for kind `agreement`, refused for other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Agreement>,
}

/// An exercise's record (plan kind `exercise`; its name and dates are the plan's title and
/// dates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Who takes part: states' or authorities' codes or names, 1 to 50, no repeats.
    pub participants: Vec<String>,
    pub scenario: String,
    /// The evaluation, once made.
    #[serde(default)]
    pub evaluation: Option<String>,
}

pub const AGREEMENT_FORMS: [&str; 2] = ["agreement", "memorandum"];

/// An agreement's or memorandum's record (plan kind `agreement`; its title is the plan's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    /// `agreement` or `memorandum` (of understanding).
    pub form: String,
    /// The other party: a partner organization's code or a counterpart's name.
    pub partner: String,
    pub signed_on: Date,
    pub in_force_from: Date,
    #[serde(default)]
    pub in_force_to: Option<Date>,
}

fn check_exercise(e: &Exercise) -> Result<()> {
    if e.participants.is_empty() || e.participants.len() > 50 {
        return Err(rule(RuleError::new(
            "exercise.participants",
            "1 to 50 participants",
        )));
    }
    for (i, p) in e.participants.iter().enumerate() {
        check_text(&format!("exercise.participants[{i}]"), p, 200)?;
        if e.participants[..i].contains(p) {
            return Err(rule(RuleError::new(
                &format!("exercise.participants[{i}]"),
                format!("{p:?} is listed twice"),
            )));
        }
    }
    check_text("exercise.scenario", &e.scenario, 20_000)?;
    if let Some(ev) = &e.evaluation {
        check_text("exercise.evaluation", ev, 20_000)?;
    }
    Ok(())
}

fn check_agreement(a: &Agreement) -> Result<()> {
    if !AGREEMENT_FORMS.contains(&a.form.as_str()) {
        return Err(rule(RuleError::new(
            "agreement.form",
            format!("{:?}: use agreement or memorandum", a.form),
        )));
    }
    check_text("agreement.partner", &a.partner, 200)?;
    if a.in_force_from < a.signed_on {
        return Err(rule(RuleError::new(
            "agreement.in_force_from",
            "enters into force before it is signed",
        )));
    }
    if a.in_force_to.is_some_and(|t| t < a.in_force_from) {
        return Err(rule(RuleError::new(
            "agreement.in_force_to",
            "ends before it enters into force",
        )));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    pub action: String,
    pub owner: String,
    pub deadline: Date,
    pub status: String,
}

/// An output (serialized only: its input is flattened in and refuses unknown fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub id: i64,
    #[serde(flatten)]
    pub action: NewAction,
}

/// An output (serialized only: its input is flattened in and refuses unknown fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub id: i64,
    #[serde(flatten)]
    pub plan: NewPlan,
    pub actions: Vec<Action>,
}

/// A meeting with everything recorded for it, and the open tasks it reviews (an output,
/// serialized only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingRecord {
    #[serde(flatten)]
    pub meeting: Meeting,
    pub delegates: Vec<Delegate>,
    pub documents: Vec<Document>,
    pub decisions: Vec<String>,
    pub side_events: Vec<Meeting>,
    /// Implementation tasks of earlier decisions that are not done, for review.
    pub open_tasks: Vec<Task>,
}

fn meeting_row(row: &AnyRow) -> Result<Meeting> {
    Ok(Meeting {
        id: get(row, "id")?,
        kind: get(row, "kind")?,
        title: get(row, "title")?,
        host_state: get(row, "host_state")?,
        venue: get(row, "venue")?,
        starts: date(row, "starts")?,
        ends: date(row, "ends")?,
        agenda: get_json(row, "agenda", "council_meetings.agenda")?,
        minutes: get(row, "minutes")?,
        parent_id: get(row, "parent_id")?,
    })
}

const MEETING_COLUMNS: &str =
    "id, kind, title, host_state, venue, starts, ends, agenda, minutes, parent_id";

async fn lock(tx: &mut Tx, backend: Backend) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(COUNCIL_LOCK)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Member states that are members on `on`.
async fn members_on(tx: &mut Tx, on: Date) -> Result<Vec<String>> {
    let on = on.to_string();
    Ok(sqlx::query_scalar(
        "SELECT state FROM council_members WHERE status = 'member' AND since <= $1
         AND (until IS NULL OR until > $1) ORDER BY state",
    )
    .bind(on)
    .fetch_all(&mut **tx)
    .await?)
}

/// `now` as `YYYY-MM-DDTHH:MM:SSZ`, the form deadlines are kept in.
fn norm(now: &str) -> Result<String> {
    vigil_council::date::parse_instant("now", now).map_err(rule)
}

fn today_of(now: &str) -> Result<Date> {
    Date::parse("now", now.get(..10).unwrap_or(now)).map_err(rule)
}

async fn decision_status(tx: &mut Tx, id: i64) -> Result<(String, Procedure, Status)> {
    let row = sqlx::query(
        "SELECT number, procedure, deadline, status FROM council_decisions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::NoSuchCouncilRecord(format!("decision {id}")))?;
    let procedure: String = get(&row, "procedure")?;
    let deadline: Option<String> = get(&row, "deadline")?;
    let procedure = match (procedure.as_str(), deadline) {
        ("silence", Some(deadline)) => Procedure::Silence { deadline },
        _ => Procedure::Meeting,
    };
    let status: String = get(&row, "status")?;
    let status = Status::parse(&status).ok_or_else(|| StoreError::Corrupt {
        what: "council_decisions.status".into(),
        detail: status.clone(),
    })?;
    Ok((get(&row, "number")?, procedure, status))
}

/// Each state's latest position on a decision.
async fn current_positions(tx: &mut Tx, id: i64) -> Result<Vec<PositionRecord>> {
    let rows = sqlx::query(
        "SELECT state, position, in_writing, note, recorded_by, recorded_at
         FROM council_positions WHERE decision_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let mut out: Vec<PositionRecord> = Vec::new();
    for row in &rows {
        let text: String = get(row, "position")?;
        let position = Position::parse("position", &text).map_err(|e| StoreError::Corrupt {
            what: "council_positions.position".into(),
            detail: e.to_string(),
        })?;
        let in_writing: i64 = get(row, "in_writing")?;
        let record = PositionRecord {
            state: get(row, "state")?,
            position,
            in_writing: in_writing == 1,
            note: get(row, "note")?,
            recorded_by: get(row, "recorded_by")?,
            recorded_at: get(row, "recorded_at")?,
        };
        match out.iter_mut().find(|p| p.state == record.state) {
            Some(p) => *p = record,
            None => out.push(record),
        }
    }
    Ok(out)
}

fn pairs(positions: &[PositionRecord]) -> Vec<(String, Position)> {
    positions
        .iter()
        .map(|p| (p.state.clone(), p.position))
        .collect()
}

/// Applies the silence procedure's outcome to decision `id` at `now`; returns the new status
/// when it changed.
async fn settle_in(tx: &mut Tx, backend: Backend, id: i64, now: &str) -> Result<Option<Status>> {
    let (number, procedure, status) = decision_status(tx, id).await?;
    let positions = current_positions(tx, id).await?;
    let settled = consensus::settle(status, &procedure, &pairs(&positions), now);
    if settled == status {
        return Ok(None);
    }
    let at = match (&procedure, settled) {
        (Procedure::Silence { deadline }, Status::Adopted) => deadline.clone(),
        _ => now.to_string(),
    };
    sqlx::query("UPDATE council_decisions SET status = $1, decided_at = $2 WHERE id = $3")
        .bind(settled.as_str())
        .bind(&at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let entry = NewAuditEntry::new("-", "-", "council.decision.settle", crate::Outcome::Success)
        .records(vec![format!("council:decision:{number}")])
        .detail(format!("silence procedure {} at {at}", settled.as_str()));
    append_in(tx, backend, &entry).await?;
    Ok(Some(settled))
}

async fn tasks_where(tx: &mut Tx, condition: &str, bind: Option<i64>) -> Result<Vec<Task>> {
    let sql = format!(
        "SELECT t.id, t.decision_id, d.number, t.description, t.authority, t.due, t.status
         FROM council_tasks t JOIN council_decisions d ON d.id = t.decision_id
         WHERE {condition} ORDER BY t.due, t.id"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(b) = bind {
        query = query.bind(b);
    }
    let rows = query.fetch_all(&mut **tx).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = get(row, "id")?;
        let reports = sqlx::query(
            "SELECT status, note, recorded_by, recorded_at FROM council_task_reports
             WHERE task_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| {
            Ok(TaskReport {
                status: get(r, "status")?,
                note: get(r, "note")?,
                recorded_by: get(r, "recorded_by")?,
                recorded_at: get(r, "recorded_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        out.push(Task {
            id,
            decision_id: get(row, "decision_id")?,
            decision_number: get(row, "number")?,
            description: get(row, "description")?,
            authority: get(row, "authority")?,
            due: date(row, "due")?,
            status: get(row, "status")?,
            reports,
        });
    }
    Ok(out)
}

impl Store {
    async fn council_tx(&self) -> Result<Tx> {
        let mut tx = self.pool.begin().await?;
        lock(&mut tx, self.backend).await?;
        Ok(tx)
    }

    pub async fn council_members(&self) -> Result<Vec<CouncilMember>> {
        let rows = sqlx::query(
            "SELECT state, name, status, since, until FROM council_members ORDER BY status, state",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CouncilMember {
                    state: get(r, "state")?,
                    name: get(r, "name")?,
                    status: get(r, "status")?,
                    since: date(r, "since")?,
                    until: optional_date(r, "until")?,
                })
            })
            .collect()
    }

    /// Adds an observer, a dialogue partner or a new member state.
    pub async fn add_council_member(
        &self,
        member: &CouncilMember,
        audit: &NewAuditEntry,
    ) -> Result<()> {
        if !["member", "observer", "dialogue_partner"].contains(&member.status.as_str()) {
            return Err(rule(RuleError::new(
                "status",
                "use member, observer or dialogue_partner",
            )));
        }
        if member.state.len() != 2 || !member.state.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(rule(RuleError::new(
                "state",
                format!("{:?} is not an ISO 3166 alpha-2 code", member.state),
            )));
        }
        check_text("name", &member.name, 200)?;
        let mut tx = self.council_tx().await?;
        let exists: Option<String> =
            sqlx::query_scalar("SELECT state FROM council_members WHERE state = $1")
                .bind(&member.state)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            return Err(conflict(RuleError::new(
                "state",
                format!("{} is recorded already", member.state),
            )));
        }
        sqlx::query(
            "INSERT INTO council_members (state, name, status, since, until) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&member.state)
        .bind(&member.name)
        .bind(&member.status)
        .bind(member.since.to_string())
        .bind(member.until.map(|u| u.to_string()))
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The council's bodies, by kind then code.
    pub async fn council_bodies(&self) -> Result<Vec<CouncilBody>> {
        let rows = sqlx::query(
            "SELECT id, code, kind, name, since, until FROM council_bodies ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CouncilBody {
                    id: get(r, "id")?,
                    code: get(r, "code")?,
                    kind: get(r, "kind")?,
                    name: get(r, "name")?,
                    since: date(r, "since")?,
                    until: optional_date(r, "until")?,
                })
            })
            .collect()
    }

    /// Adds a body (an expert group, typically); returns its id. A code in use is a conflict.
    pub async fn add_council_body(&self, b: &CouncilBody, audit: &NewAuditEntry) -> Result<i64> {
        if b.code.is_empty()
            || b.code.len() > 64
            || !b
                .code
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
        {
            return Err(rule(RuleError::new(
                "code",
                format!(
                    "{:?}: 1 to 64 lowercase letters, digits, '-' or '_'",
                    b.code
                ),
            )));
        }
        if !BODY_KINDS.contains(&b.kind.as_str()) {
            return Err(rule(RuleError::new(
                "kind",
                format!("{:?}; use one of {}", b.kind, BODY_KINDS.join(", ")),
            )));
        }
        check_text("name", &b.name, 200)?;
        if b.until.is_some_and(|u| u < b.since) {
            return Err(rule(RuleError::new("until", "ends before it starts")));
        }
        let mut tx = self.council_tx().await?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM council_bodies WHERE code = $1")
                .bind(&b.code)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            return Err(conflict(RuleError::new(
                "code",
                format!("{} is recorded already", b.code),
            )));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO council_bodies (code, kind, name, since, until)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&b.code)
        .bind(&b.kind)
        .bind(&b.name)
        .bind(b.since.to_string())
        .bind(b.until.map(|u| u.to_string()))
        .fetch_one(&mut *tx)
        .await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records who represents a state in a body; `body` (code) or `body_id` must name a
    /// recorded body, and the dates must lie within the body's. Returns the id.
    pub async fn add_representative(
        &self,
        rep: &Representative,
        audit: &NewAuditEntry,
    ) -> Result<i64> {
        if rep.body.is_empty() && rep.body_id.is_none() {
            return Err(rule(RuleError::new(
                "body",
                "name the body by its code (body) or its id (body_id)",
            )));
        }
        check_text("person", &rep.person, 200)?;
        check_text("role", &rep.role, 200)?;
        if rep.until.is_some_and(|u| u < rep.since) {
            return Err(rule(RuleError::new("until", "ends before it starts")));
        }
        let mut tx = self.council_tx().await?;
        let known: Option<String> =
            sqlx::query_scalar("SELECT state FROM council_members WHERE state = $1")
                .bind(&rep.state)
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_none() {
            return Err(rule(RuleError::new(
                "state",
                format!("{} is not a member, observer or partner", rep.state),
            )));
        }
        let body = match rep.body_id {
            Some(id) => {
                sqlx::query("SELECT id, code, since, until FROM council_bodies WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| rule(RuleError::new("body_id", format!("no body {id}"))))?
            }
            None => {
                sqlx::query("SELECT id, code, since, until FROM council_bodies WHERE code = $1")
                    .bind(&rep.body)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| {
                        rule(RuleError::new(
                            "body",
                            format!(
                                "{:?} is not a recorded body (see /council/bodies)",
                                rep.body
                            ),
                        ))
                    })?
            }
        };
        let body_id: i64 = get(&body, "id")?;
        let code: String = get(&body, "code")?;
        if !rep.body.is_empty() && rep.body != code {
            return Err(rule(RuleError::new(
                "body",
                format!("{:?} is not body {body_id} ({code})", rep.body),
            )));
        }
        let body_since = date(&body, "since")?;
        let body_until: Option<String> = get(&body, "until")?;
        if rep.since < body_since {
            return Err(rule(RuleError::new(
                "since",
                format!("{code} exists from {body_since}"),
            )));
        }
        if let Some(until) = body_until {
            let fits = rep.until.is_some_and(|u| u.to_string() <= until);
            if !fits {
                return Err(rule(RuleError::new(
                    "until",
                    format!("{code} exists until {until}"),
                )));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO council_representatives (body, state, person, role, since, until, body_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&code)
        .bind(&rep.state)
        .bind(&rep.person)
        .bind(&rep.role)
        .bind(rep.since.to_string())
        .bind(rep.until.map(|u| u.to_string()))
        .bind(body_id)
        .fetch_one(&mut *tx)
        .await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn representatives(&self) -> Result<Vec<Representative>> {
        let rows = sqlx::query(
            "SELECT id, body, body_id, state, person, role, since, until FROM council_representatives ORDER BY body, state, since",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Representative {
                    id: get(r, "id")?,
                    body: get(r, "body")?,
                    body_id: get(r, "body_id")?,
                    state: get(r, "state")?,
                    person: get(r, "person")?,
                    role: get(r, "role")?,
                    since: date(r, "since")?,
                    until: optional_date(r, "until")?,
                })
            })
            .collect()
    }

    /// Sets the rotation of the chair (replacing any earlier one).
    pub async fn set_chair_rotation(
        &self,
        rotation: &Rotation,
        audit: &NewAuditEntry,
    ) -> Result<()> {
        rotation.check().map_err(rule)?;
        let mut tx = self.council_tx().await?;
        let members = members_on(&mut tx, rotation.anchor).await?;
        if let Some(s) = rotation.order.iter().find(|s| !members.contains(s)) {
            return Err(rule(RuleError::new(
                "order",
                format!("{s} is not a member state on {}", rotation.anchor),
            )));
        }
        let order = serde_json::to_string(&rotation.order).map_err(|e| StoreError::Corrupt {
            what: "rotation".into(),
            detail: e.to_string(),
        })?;
        sqlx::query("DELETE FROM council_rotation")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO council_rotation (id, order_json, anchor_state, anchor) VALUES (1, $1, $2, $3)",
        )
        .bind(order)
        .bind(&rotation.anchor_state)
        .bind(rotation.anchor.to_string())
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn chair_rotation(&self) -> Result<Option<Rotation>> {
        let Some(row) = sqlx::query(
            "SELECT order_json, anchor_state, anchor FROM council_rotation WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(Rotation {
            order: get_json(&row, "order_json", "council_rotation.order_json")?,
            anchor_state: get(&row, "anchor_state")?,
            anchor: date(&row, "anchor")?,
        }))
    }

    /// Terms recorded over the rotation, oldest first.
    pub async fn chair_terms(&self) -> Result<Vec<ChairTerm>> {
        let rows = sqlx::query(
            "SELECT state, starts, ends, reason FROM council_chair_terms ORDER BY starts",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ChairTerm {
                    state: get(r, "state")?,
                    starts: date(r, "starts")?,
                    ends: date(r, "ends")?,
                    overridden: true,
                    reason: get(r, "reason")?,
                })
            })
            .collect()
    }

    /// Records a term that overrides the rotation; refused when it overlaps a recorded term.
    pub async fn record_chair_term(&self, term: &ChairTerm, audit: &NewAuditEntry) -> Result<()> {
        check_text("reason", &term.reason, 2000)?;
        let mut tx = self.council_tx().await?;
        let recorded = sqlx::query("SELECT state, starts, ends, reason FROM council_chair_terms")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| {
                Ok(ChairTerm {
                    state: get(r, "state")?,
                    starts: date(r, "starts")?,
                    ends: date(r, "ends")?,
                    overridden: true,
                    reason: get(r, "reason")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let members = members_on(&mut tx, term.starts).await?;
        chair::check_new_term(term, &recorded, &members).map_err(rule)?;
        sqlx::query(
            "INSERT INTO council_chair_terms (state, starts, ends, reason, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&term.state)
        .bind(term.starts.to_string())
        .bind(term.ends.to_string())
        .bind(&term.reason)
        .bind(&audit.user)
        .bind(vigil_model::utc_now_rfc3339())
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Who chairs (or chaired, or will chair) on `on`: `None` without a rotation.
    pub async fn chair_on(&self, on: Date) -> Result<Option<ChairTerm>> {
        let Some(rotation) = self.chair_rotation().await? else {
            return Ok(None);
        };
        Ok(chair::chair_on(&rotation, &self.chair_terms().await?, on))
    }

    pub async fn create_meeting(&self, m: &NewMeeting, audit: &NewAuditEntry) -> Result<i64> {
        if !MEETING_KINDS.contains(&m.kind.as_str()) {
            return Err(rule(RuleError::new(
                "kind",
                format!("{:?}: use one of {}", m.kind, MEETING_KINDS.join(", ")),
            )));
        }
        check_text("title", &m.title, 500)?;
        check_text("venue", &m.venue, 500)?;
        for (i, item) in m.agenda.iter().enumerate() {
            check_text(&format!("agenda[{i}]"), item, 2000)?;
        }
        if m.ends < m.starts {
            return Err(rule(RuleError::new(
                "ends",
                format!(
                    "the meeting ends ({}) before it starts ({})",
                    m.ends, m.starts
                ),
            )));
        }
        let mut tx = self.council_tx().await?;
        let host: Option<String> =
            sqlx::query_scalar("SELECT state FROM council_members WHERE state = $1")
                .bind(&m.host_state)
                .fetch_optional(&mut *tx)
                .await?;
        if host.is_none() {
            return Err(rule(RuleError::new(
                "host_state",
                format!(
                    "{} is not a member, observer or partner state",
                    m.host_state
                ),
            )));
        }
        if let Some(parent) = m.parent_id {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM council_meetings WHERE id = $1")
                    .bind(parent)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                return Err(rule(RuleError::new(
                    "parent_id",
                    format!("no meeting {parent}"),
                )));
            }
        }
        let agenda = serde_json::to_string(&m.agenda).map_err(|e| StoreError::Corrupt {
            what: "agenda".into(),
            detail: e.to_string(),
        })?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO council_meetings (kind, title, host_state, venue, starts, ends, agenda, minutes, parent_id, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, $10) RETURNING id",
        )
        .bind(&m.kind)
        .bind(&m.title)
        .bind(&m.host_state)
        .bind(&m.venue)
        .bind(m.starts.to_string())
        .bind(m.ends.to_string())
        .bind(agenda)
        .bind(m.parent_id)
        .bind(&audit.user)
        .bind(vigil_model::utc_now_rfc3339())
        .fetch_one(&mut *tx)
        .await?;
        let mut entry = audit.clone();
        entry.records = vec![format!("council:meeting:{id}")];
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn meetings(&self) -> Result<Vec<Meeting>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM council_meetings ORDER BY starts, id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(meeting_row).collect()
    }

    async fn meeting_in(tx: &mut Tx, id: i64) -> Result<Meeting> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM council_meetings WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NoSuchCouncilRecord(format!("meeting {id}")))?;
        meeting_row(&row)
    }

    /// A meeting with its delegations, documents, decisions, side events and the open tasks of
    /// earlier decisions (due by the meeting's last day or overdue) for review.
    pub async fn meeting(&self, id: i64) -> Result<MeetingRecord> {
        let mut tx = self.pool.begin().await?;
        let meeting = Self::meeting_in(&mut tx, id).await?;
        let delegates = sqlx::query(
            "SELECT id, meeting_id, state, name, role, arrival, departure, entry_point, visa_status
             FROM council_delegates WHERE meeting_id = $1 ORDER BY state, id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            Ok(Delegate {
                id: get(r, "id")?,
                meeting_id: get(r, "meeting_id")?,
                delegate: NewDelegate {
                    state: get(r, "state")?,
                    name: get(r, "name")?,
                    role: get(r, "role")?,
                    arrival: date(r, "arrival")?,
                    departure: date(r, "departure")?,
                    entry_point: get(r, "entry_point")?,
                    visa_status: get(r, "visa_status")?,
                },
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let documents = sqlx::query(
            "SELECT id, meeting_id, symbol, version, stage, title, body, recorded_by, recorded_at
             FROM council_documents WHERE meeting_id = $1 ORDER BY symbol, version",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            Ok(Document {
                id: get(r, "id")?,
                meeting_id: get(r, "meeting_id")?,
                symbol: get(r, "symbol")?,
                version: get(r, "version")?,
                stage: get(r, "stage")?,
                title: get(r, "title")?,
                body: get(r, "body")?,
                recorded_by: get(r, "recorded_by")?,
                recorded_at: get(r, "recorded_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let decisions: Vec<String> = sqlx::query_scalar(
            "SELECT number FROM council_decisions WHERE meeting_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let side_events = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM council_meetings WHERE parent_id = $1 ORDER BY starts, id"
        )))
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(meeting_row)
        .collect::<Result<Vec<_>>>()?;
        // Tasks of decisions taken elsewhere (not at this meeting), not done yet.
        let open_tasks = tasks_where(
            &mut tx,
            "t.status <> 'done' AND (d.meeting_id IS NULL OR d.meeting_id <> $1)",
            Some(id),
        )
        .await?;
        tx.commit().await?;
        Ok(MeetingRecord {
            meeting,
            delegates,
            documents,
            decisions,
            side_events,
            open_tasks,
        })
    }

    pub async fn set_minutes(&self, id: i64, minutes: &str, audit: &NewAuditEntry) -> Result<()> {
        check_text("minutes", minutes, 200_000)?;
        let mut tx = self.council_tx().await?;
        Self::meeting_in(&mut tx, id).await?;
        sqlx::query("UPDATE council_meetings SET minutes = $1 WHERE id = $2")
            .bind(minutes)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_delegate(
        &self,
        meeting_id: i64,
        d: &NewDelegate,
        audit: &NewAuditEntry,
    ) -> Result<i64> {
        check_text("name", &d.name, 200)?;
        check_text("role", &d.role, 200)?;
        check_text("entry_point", &d.entry_point, 200)?;
        if !VISA_STATUSES.contains(&d.visa_status.as_str()) {
            return Err(rule(RuleError::new(
                "visa_status",
                format!(
                    "{:?}: use one of {}",
                    d.visa_status,
                    VISA_STATUSES.join(", ")
                ),
            )));
        }
        if d.departure < d.arrival {
            return Err(rule(RuleError::new(
                "departure",
                format!(
                    "{} leaves on {} before arriving on {}",
                    d.name, d.departure, d.arrival
                ),
            )));
        }
        let mut tx = self.council_tx().await?;
        let meeting = Self::meeting_in(&mut tx, meeting_id).await?;
        let known: Option<String> =
            sqlx::query_scalar("SELECT state FROM council_members WHERE state = $1")
                .bind(&d.state)
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_none() {
            return Err(rule(RuleError::new(
                "state",
                format!("{} is not a member, observer or partner state", d.state),
            )));
        }
        if d.departure < meeting.starts || d.arrival > meeting.ends {
            return Err(rule(RuleError::new(
                "arrival",
                format!(
                    "{} is there {}..{}, outside the meeting ({}..{})",
                    d.name, d.arrival, d.departure, meeting.starts, meeting.ends
                ),
            )));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO council_delegates (meeting_id, state, name, role, arrival, departure, entry_point, visa_status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(meeting_id)
        .bind(&d.state)
        .bind(&d.name)
        .bind(&d.role)
        .bind(d.arrival.to_string())
        .bind(d.departure.to_string())
        .bind(&d.entry_point)
        .bind(&d.visa_status)
        .fetch_one(&mut *tx)
        .await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds the next version of document `symbol` (version 1 when new); a final version ends
    /// the document's drafting.
    pub async fn add_document(
        &self,
        meeting_id: Option<i64>,
        doc: &NewDocument,
        audit: &NewAuditEntry,
    ) -> Result<i64> {
        check_text("symbol", &doc.symbol, 100)?;
        check_text("title", &doc.title, 500)?;
        check_text("body", &doc.body, 500_000)?;
        if !["draft", "revised", "final"].contains(&doc.stage.as_str()) {
            return Err(rule(RuleError::new("stage", "use draft, revised or final")));
        }
        let mut tx = self.council_tx().await?;
        if let Some(m) = meeting_id {
            Self::meeting_in(&mut tx, m).await?;
        }
        let last: Option<(i64, String)> = sqlx::query(
            "SELECT version, stage FROM council_documents WHERE symbol = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(&doc.symbol)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| Ok::<_, StoreError>((get(&r, "version")?, get(&r, "stage")?)))
        .transpose()?;
        if let Some((_, stage)) = &last {
            if stage == "final" {
                return Err(conflict(RuleError::new(
                    "symbol",
                    format!(
                        "{} has a final version; it is not revised further",
                        doc.symbol
                    ),
                )));
            }
        }
        let version = last.map_or(1, |(v, _)| v + 1);
        sqlx::query(
            "INSERT INTO council_documents (meeting_id, symbol, version, stage, title, body, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(meeting_id)
        .bind(&doc.symbol)
        .bind(version)
        .bind(&doc.stage)
        .bind(&doc.title)
        .bind(&doc.body)
        .bind(&audit.user)
        .bind(vigil_model::utc_now_rfc3339())
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Puts a draft decision to the members; a silence deadline must lie after `now`.
    pub async fn create_decision(
        &self,
        d: &NewDecision,
        now: &str,
        audit: &NewAuditEntry,
    ) -> Result<i64> {
        check_text("number", &d.number, 100)?;
        check_text("title", &d.title, 500)?;
        check_text("text", &d.text, 500_000)?;
        let deadline = match &d.procedure {
            Procedure::Meeting => None,
            Procedure::Silence { deadline } => {
                let deadline = vigil_council::date::parse_instant("silence_deadline", deadline)
                    .map_err(rule)?;
                consensus::check_silence_deadline(&deadline, &norm(now)?).map_err(rule)?;
                Some(deadline)
            }
        };
        let mut tx = self.council_tx().await?;
        if let Some(m) = d.meeting_id {
            Self::meeting_in(&mut tx, m).await?;
        }
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM council_decisions WHERE number = $1")
                .bind(&d.number)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            return Err(conflict(RuleError::new(
                "number",
                format!("decision {} exists already", d.number),
            )));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO council_decisions (number, title, text, meeting_id, procedure, deadline, status, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) RETURNING id",
        )
        .bind(&d.number)
        .bind(&d.title)
        .bind(&d.text)
        .bind(d.meeting_id)
        .bind(if deadline.is_some() { "silence" } else { "meeting" })
        .bind(deadline)
        .bind(&audit.user)
        .bind(norm(now)?)
        .fetch_one(&mut *tx)
        .await?;
        let mut entry = audit.clone();
        entry.records = vec![format!("council:decision:{}", d.number)];
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The id of decision `number`.
    pub async fn decision_id(&self, number: &str) -> Result<i64> {
        sqlx::query_scalar("SELECT id FROM council_decisions WHERE number = $1")
            .bind(number)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NoSuchCouncilRecord(format!("decision {number}")))
    }

    /// Records `state`'s position on decision `id` at `now` (UTC `YYYY-MM-DDTHH:MM:SSZ`): only
    /// a member state, only while the decision is open and its silence deadline has not come.
    /// A silence procedure fails on the first objection.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_position(
        &self,
        id: i64,
        state: &str,
        position: Position,
        in_writing: bool,
        note: &str,
        now: &str,
        audit: &NewAuditEntry,
    ) -> Result<Decision> {
        let now = &norm(now)?;
        if !note.is_empty() {
            check_text("note", note, 5000)?;
        }
        let mut tx = self.council_tx().await?;
        settle_in(&mut tx, self.backend, id, now).await?;
        let (number, procedure, status) = decision_status(&mut tx, id).await?;
        let members = members_on(&mut tx, today_of(now)?).await?;
        if let Err(e) = consensus::check_position(status, &procedure, state, &members, now) {
            return Err(if e.field == "state" {
                rule(e)
            } else {
                conflict(e)
            });
        }
        if position == Position::Object
            && matches!(procedure, Procedure::Silence { .. })
            && !in_writing
        {
            return Err(rule(RuleError::new(
                "in_writing",
                "an objection under a silence procedure must be made in writing",
            )));
        }
        sqlx::query(
            "INSERT INTO council_positions (decision_id, state, position, in_writing, note, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(state)
        .bind(position.as_str())
        .bind(i64::from(in_writing))
        .bind(note)
        .bind(&audit.user)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut entry = audit.clone();
        entry.records = vec![format!("council:decision:{number}")];
        if entry.detail.is_empty() {
            entry.detail = format!("{state}: {}", position.as_str());
        }
        append_in(&mut tx, self.backend, &entry).await?;
        settle_in(&mut tx, self.backend, id, now).await?;
        tx.commit().await?;
        self.decision(id, now).await
    }

    /// Records adoption by consensus in a meeting: refused while any member objects.
    pub async fn adopt_decision(
        &self,
        id: i64,
        now: &str,
        audit: &NewAuditEntry,
    ) -> Result<Decision> {
        let now = &norm(now)?;
        let mut tx = self.council_tx().await?;
        settle_in(&mut tx, self.backend, id, now).await?;
        let (number, procedure, status) = decision_status(&mut tx, id).await?;
        let positions = current_positions(&mut tx, id).await?;
        consensus::check_adoption(status, &procedure, &pairs(&positions)).map_err(conflict)?;
        sqlx::query(
            "UPDATE council_decisions SET status = 'adopted', decided_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let mut entry = audit.clone();
        entry.records = vec![format!("council:decision:{number}")];
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        self.decision(id, now).await
    }

    /// Settles every open silence procedure at `now`.
    pub async fn settle_decisions(&self, now: &str) -> Result<()> {
        let now = &norm(now)?;
        let open: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM council_decisions WHERE status = 'open' AND procedure = 'silence'",
        )
        .fetch_all(&self.pool)
        .await?;
        for id in open {
            let mut tx = self.council_tx().await?;
            settle_in(&mut tx, self.backend, id, now).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Decision `id` as it stands at `now` (a silence procedure whose deadline passed is
    /// settled first).
    pub async fn decision(&self, id: i64, now: &str) -> Result<Decision> {
        let now = &norm(now)?;
        let mut tx = self.council_tx().await?;
        settle_in(&mut tx, self.backend, id, now).await?;
        let (_, procedure, status) = decision_status(&mut tx, id).await?;
        let row = sqlx::query(
            "SELECT number, title, text, meeting_id, decided_at, created_at FROM council_decisions WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let created_at: String = get(&row, "created_at")?;
        let recorded = current_positions(&mut tx, id).await?;
        let members = members_on(&mut tx, today_of(&created_at)?).await?;
        let mut positions: Vec<PositionRecord> = members
            .iter()
            .map(|m| {
                recorded
                    .iter()
                    .find(|p| &p.state == m)
                    .cloned()
                    .unwrap_or(PositionRecord {
                        state: m.clone(),
                        position: Position::NotYet,
                        in_writing: false,
                        note: String::new(),
                        recorded_by: String::new(),
                        recorded_at: String::new(),
                    })
            })
            .collect();
        positions.extend(recorded.into_iter().filter(|p| !members.contains(&p.state)));
        let tasks = tasks_where(&mut tx, "t.decision_id = $1", Some(id)).await?;
        tx.commit().await?;
        Ok(Decision {
            id,
            number: get(&row, "number")?,
            title: get(&row, "title")?,
            text: get(&row, "text")?,
            meeting_id: get(&row, "meeting_id")?,
            procedure,
            status,
            decided_at: get(&row, "decided_at")?,
            positions,
            tasks,
        })
    }

    /// Every decision at `now`, oldest first.
    pub async fn decisions(&self, now: &str) -> Result<Vec<Decision>> {
        self.settle_decisions(now).await?;
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM council_decisions ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.decision(id, now).await?);
        }
        Ok(out)
    }

    pub async fn add_task(
        &self,
        decision_id: i64,
        t: &NewTask,
        audit: &NewAuditEntry,
    ) -> Result<i64> {
        check_text("description", &t.description, 5000)?;
        check_text("authority", &t.authority, 100)?;
        let mut tx = self.council_tx().await?;
        let (number, _, _) = decision_status(&mut tx, decision_id).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO council_tasks (decision_id, description, authority, due, status, created_at)
             VALUES ($1, $2, $3, $4, 'open', $5) RETURNING id",
        )
        .bind(decision_id)
        .bind(&t.description)
        .bind(&t.authority)
        .bind(t.due.to_string())
        .bind(vigil_model::utc_now_rfc3339())
        .fetch_one(&mut *tx)
        .await?;
        let mut entry = audit.clone();
        entry.records = vec![
            format!("council:decision:{number}"),
            format!("council:task:{id}"),
        ];
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A report on a task's implementation, setting its status.
    pub async fn report_task(
        &self,
        task_id: i64,
        status: &str,
        note: &str,
        audit: &NewAuditEntry,
    ) -> Result<()> {
        if !TASK_STATUSES.contains(&status) {
            return Err(rule(RuleError::new(
                "status",
                format!("{status:?}: use one of {}", TASK_STATUSES.join(", ")),
            )));
        }
        check_text("note", note, 5000)?;
        let mut tx = self.council_tx().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM council_tasks WHERE id = $1")
            .bind(task_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NoSuchCouncilRecord(format!("task {task_id}")));
        }
        sqlx::query("UPDATE council_tasks SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(task_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO council_task_reports (task_id, status, note, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(task_id)
        .bind(status)
        .bind(note)
        .bind(&audit.user)
        .bind(vigil_model::utc_now_rfc3339())
        .execute(&mut *tx)
        .await?;
        let mut entry = audit.clone();
        entry.records = vec![format!("council:task:{task_id}")];
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every task, in order of due date.
    pub async fn tasks(&self) -> Result<Vec<Task>> {
        let mut tx = self.pool.begin().await?;
        let out = tasks_where(&mut tx, "1 = 1", None).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Sets the Executive Committee's budget of `year` with the members' shares (hundredths
    /// of a percent, summing to exactly 100 %); replaces an earlier budget of the year.
    pub async fn set_budget(
        &self,
        year: i64,
        total: Money,
        currency: &str,
        shares: &[(String, i64)],
        audit: &NewAuditEntry,
    ) -> Result<Budget> {
        if !(2000..=2200).contains(&year) {
            return Err(rule(RuleError::new(
                "year",
                format!("{year} is out of range"),
            )));
        }
        money::check_currency("currency", currency).map_err(rule)?;
        money::check_shares(shares).map_err(rule)?;
        let mut tx = self.council_tx().await?;
        let on =
            Date::new(year, 1, 1).ok_or_else(|| rule(RuleError::new("year", "out of range")))?;
        let members = members_on(&mut tx, on).await?;
        if let Some((s, _)) = shares.iter().find(|(s, _)| !members.contains(s)) {
            return Err(rule(RuleError::new(
                "shares",
                format!("{s} is not a member state on {on}"),
            )));
        }
        let paid_other: Option<String> = sqlx::query_scalar(
            "SELECT currency FROM council_payments WHERE year = $1 AND currency <> $2 LIMIT 1",
        )
        .bind(year)
        .bind(currency)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(c) = paid_other {
            return Err(conflict(RuleError::new(
                "currency",
                format!("payments of {year} were received in {c}"),
            )));
        }
        sqlx::query("DELETE FROM council_shares WHERE year = $1")
            .bind(year)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM council_budgets WHERE year = $1 AND NOT EXISTS (SELECT 1 FROM council_payments WHERE year = $1)")
            .bind(year)
            .execute(&mut *tx)
            .await?;
        let updated = sqlx::query(
            "UPDATE council_budgets SET total = $1, currency = $2, recorded_by = $3, recorded_at = $4 WHERE year = $5",
        )
        .bind(total.0)
        .bind(currency)
        .bind(&audit.user)
        .bind(vigil_model::utc_now_rfc3339())
        .bind(year)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO council_budgets (year, total, currency, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(year)
            .bind(total.0)
            .bind(currency)
            .bind(&audit.user)
            .bind(vigil_model::utc_now_rfc3339())
            .execute(&mut *tx)
            .await?;
        }
        for (state, share) in shares {
            sqlx::query("INSERT INTO council_shares (year, state, share) VALUES ($1, $2, $3)")
                .bind(year)
                .bind(state)
                .bind(*share)
                .execute(&mut *tx)
                .await?;
        }
        let mut entry = audit.clone();
        entry.records = vec![format!("council:budget:{year}")];
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        self.budget(year).await
    }

    /// Records a payment towards `year`'s contribution, in the budget's currency.
    pub async fn record_payment(
        &self,
        year: i64,
        p: &Payment,
        audit: &NewAuditEntry,
    ) -> Result<Budget> {
        money::check_currency("currency", &p.currency).map_err(rule)?;
        if p.amount.0 <= 0 {
            return Err(rule(RuleError::new("amount", "must be more than zero")));
        }
        let mut tx = self.council_tx().await?;
        let currency: Option<String> =
            sqlx::query_scalar("SELECT currency FROM council_budgets WHERE year = $1")
                .bind(year)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(currency) = currency else {
            return Err(StoreError::NoSuchCouncilRecord(format!("budget {year}")));
        };
        if currency != p.currency {
            return Err(rule(RuleError::new(
                "currency",
                format!(
                    "the {year} budget is kept in {currency}, not {}",
                    p.currency
                ),
            )));
        }
        let share: Option<i64> =
            sqlx::query_scalar("SELECT share FROM council_shares WHERE year = $1 AND state = $2")
                .bind(year)
                .bind(&p.state)
                .fetch_optional(&mut *tx)
                .await?;
        if share.is_none() {
            return Err(rule(RuleError::new(
                "state",
                format!("{} has no assessed share in {year}", p.state),
            )));
        }
        sqlx::query(
            "INSERT INTO council_payments (year, state, amount, currency, received_on, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(year)
        .bind(&p.state)
        .bind(p.amount.0)
        .bind(&p.currency)
        .bind(p.received_on.to_string())
        .bind(&audit.user)
        .bind(vigil_model::utc_now_rfc3339())
        .execute(&mut *tx)
        .await?;
        let mut entry = audit.clone();
        entry.records = vec![format!("council:budget:{year}")];
        if entry.detail.is_empty() {
            entry.detail = format!("{} paid {} {}", p.state, p.amount, p.currency);
        }
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        self.budget(year).await
    }

    /// The budget of `year` with each member's contribution due, paid and in arrears.
    pub async fn budget(&self, year: i64) -> Result<Budget> {
        let row = sqlx::query("SELECT total, currency FROM council_budgets WHERE year = $1")
            .bind(year)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NoSuchCouncilRecord(format!("budget {year}")))?;
        let total = Money(get(&row, "total")?);
        let currency: String = get(&row, "currency")?;
        let shares: Vec<(String, i64)> = sqlx::query(
            "SELECT state, share FROM council_shares WHERE year = $1 ORDER BY share DESC, state",
        )
        .bind(year)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((get(r, "state")?, get(r, "share")?)))
        .collect::<Result<_>>()?;
        let payments: Vec<Payment> = sqlx::query(
            "SELECT state, amount, currency, received_on FROM council_payments WHERE year = $1 ORDER BY id",
        )
        .bind(year)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Payment {
                state: get(r, "state")?,
                amount: Money(get(r, "amount")?),
                currency: get(r, "currency")?,
                received_on: date(r, "received_on")?,
            })
        })
        .collect::<Result<_>>()?;
        let contributions: Vec<Contribution> = money::allocate(total, &shares)
            .into_iter()
            .map(|(state, share, due)| {
                let paid = Money(
                    payments
                        .iter()
                        .filter(|p| p.state == state)
                        .map(|p| p.amount.0)
                        .sum(),
                );
                Contribution {
                    arrears: Money((due.0 - paid.0).max(0)),
                    state,
                    share,
                    due,
                    paid,
                }
            })
            .collect();
        Ok(Budget {
            year,
            total,
            currency,
            total_due: Money(contributions.iter().map(|c| c.due.0).sum()),
            total_paid: Money(contributions.iter().map(|c| c.paid.0).sum()),
            total_arrears: Money(contributions.iter().map(|c| c.arrears.0).sum()),
            contributions,
            payments,
        })
    }

    pub async fn create_plan(&self, p: &NewPlan, audit: &NewAuditEntry) -> Result<i64> {
        if !PLAN_KINDS.contains(&p.kind.as_str()) {
            return Err(rule(RuleError::new(
                "kind",
                format!("{:?}: use one of {}", p.kind, PLAN_KINDS.join(", ")),
            )));
        }
        check_text("title", &p.title, 500)?;
        check_text("owner", &p.owner, 200)?;
        if p.ends < p.starts {
            return Err(rule(RuleError::new("ends", "ends before it starts")));
        }
        if p.exercise.is_some() && p.kind != "exercise" {
            return Err(rule(RuleError::new(
                "exercise",
                format!("only for kind exercise, not {}", p.kind),
            )));
        }
        if p.agreement.is_some() && p.kind != "agreement" {
            return Err(rule(RuleError::new(
                "agreement",
                format!("only for kind agreement, not {}", p.kind),
            )));
        }
        match (p.kind.as_str(), &p.exercise, &p.agreement) {
            ("exercise", Some(e), _) => check_exercise(e)?,
            ("agreement", _, Some(a)) => check_agreement(a)?,
            ("exercise", None, _) => {
                return Err(rule(RuleError::new(
                    "exercise",
                    "an exercise needs its record: participants, scenario, evaluation",
                )))
            }
            ("agreement", _, None) => {
                return Err(rule(RuleError::new(
                    "agreement",
                    "an agreement needs its record: form, partner, signed_on, in_force_from",
                )))
            }
            _ => {}
        }
        let details = serde_json::to_string(&p.details).map_err(|e| StoreError::Corrupt {
            what: "details".into(),
            detail: e.to_string(),
        })?;
        if details.len() > 100_000 {
            return Err(rule(RuleError::new("details", "at most 100000 bytes")));
        }
        let mut tx = self.council_tx().await?;
        if let Some(partner) = &p.partner {
            let known: Option<String> =
                sqlx::query_scalar("SELECT code FROM council_partners WHERE code = $1")
                    .bind(partner)
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_none() {
                return Err(rule(RuleError::new(
                    "partner",
                    format!("unknown partner organization {partner:?}"),
                )));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO council_plans (kind, title, partner, owner, starts, ends, details, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&p.kind)
        .bind(&p.title)
        .bind(p.partner.as_deref())
        .bind(&p.owner)
        .bind(p.starts.to_string())
        .bind(p.ends.to_string())
        .bind(details)
        .bind(&audit.user)
        .bind(vigil_model::utc_now_rfc3339())
        .fetch_one(&mut *tx)
        .await?;
        if let Some(e) = &p.exercise {
            let participants =
                serde_json::to_string(&e.participants).map_err(|err| StoreError::Corrupt {
                    what: "exercise.participants".into(),
                    detail: err.to_string(),
                })?;
            sqlx::query(
                "INSERT INTO council_exercises (plan_id, participants, scenario, evaluation)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(participants)
            .bind(&e.scenario)
            .bind(e.evaluation.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        if let Some(a) = &p.agreement {
            sqlx::query(
                "INSERT INTO council_agreements (plan_id, form, partner, signed_on, in_force_from, in_force_to)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(&a.form)
            .bind(&a.partner)
            .bind(a.signed_on.to_string())
            .bind(a.in_force_from.to_string())
            .bind(a.in_force_to.map(|t| t.to_string()))
            .execute(&mut *tx)
            .await?;
        }
        let mut entry = audit.clone();
        entry.records = vec![format!("council:plan:{id}")];
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn add_action(
        &self,
        plan_id: i64,
        a: &NewAction,
        audit: &NewAuditEntry,
    ) -> Result<i64> {
        check_text("action", &a.action, 2000)?;
        check_text("owner", &a.owner, 200)?;
        if !ACTION_STATUSES.contains(&a.status.as_str()) {
            return Err(rule(RuleError::new(
                "status",
                format!("{:?}: use one of {}", a.status, ACTION_STATUSES.join(", ")),
            )));
        }
        let mut tx = self.council_tx().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM council_plans WHERE id = $1")
            .bind(plan_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NoSuchCouncilRecord(format!("plan {plan_id}")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO council_actions (plan_id, action, owner, deadline, status) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(plan_id)
        .bind(&a.action)
        .bind(&a.owner)
        .bind(a.deadline.to_string())
        .bind(&a.status)
        .fetch_one(&mut *tx)
        .await?;
        let mut entry = audit.clone();
        entry.records = vec![format!("council:plan:{plan_id}")];
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Sets the status of a plan's action.
    pub async fn set_action_status(
        &self,
        action_id: i64,
        status: &str,
        audit: &NewAuditEntry,
    ) -> Result<()> {
        if !ACTION_STATUSES.contains(&status) {
            return Err(rule(RuleError::new(
                "status",
                format!("{status:?}: use one of {}", ACTION_STATUSES.join(", ")),
            )));
        }
        let mut tx = self.council_tx().await?;
        let plan: Option<i64> =
            sqlx::query_scalar("SELECT plan_id FROM council_actions WHERE id = $1")
                .bind(action_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(plan) = plan else {
            return Err(StoreError::NoSuchCouncilRecord(format!(
                "action {action_id}"
            )));
        };
        sqlx::query("UPDATE council_actions SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(action_id)
            .execute(&mut *tx)
            .await?;
        let mut entry = audit.clone();
        entry.records = vec![
            format!("council:plan:{plan}"),
            format!("council:action:{action_id}"),
        ];
        if entry.detail.is_empty() {
            entry.detail = format!("status {status}");
        }
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records (or replaces) the evaluation of exercise `plan_id`, once it is known.
    pub async fn set_exercise_evaluation(
        &self,
        plan_id: i64,
        evaluation: &str,
        audit: &NewAuditEntry,
    ) -> Result<()> {
        check_text("evaluation", evaluation, 20_000)?;
        let mut tx = self.council_tx().await?;
        let done = sqlx::query("UPDATE council_exercises SET evaluation = $1 WHERE plan_id = $2")
            .bind(evaluation)
            .bind(plan_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NoSuchCouncilRecord(format!(
                "exercise {plan_id}"
            )));
        }
        let mut entry = audit.clone();
        entry.records = vec![format!("council:plan:{plan_id}")];
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn plans(&self) -> Result<Vec<Plan>> {
        let rows = sqlx::query(
            "SELECT id, kind, title, partner, owner, starts, ends, details FROM council_plans ORDER BY starts, id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = get(r, "id")?;
            let actions = sqlx::query(
                "SELECT id, action, owner, deadline, status FROM council_actions WHERE plan_id = $1 ORDER BY deadline, id",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|a| {
                Ok(Action {
                    id: get(a, "id")?,
                    action: NewAction {
                        action: get(a, "action")?,
                        owner: get(a, "owner")?,
                        deadline: date(a, "deadline")?,
                        status: get(a, "status")?,
                    },
                })
            })
            .collect::<Result<Vec<_>>>()?;
            let exercise = sqlx::query(
                "SELECT participants, scenario, evaluation FROM council_exercises WHERE plan_id = $1",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|e| {
                Ok::<_, StoreError>(Exercise {
                    participants: get_json(&e, "participants", "council_exercises.participants")?,
                    scenario: get(&e, "scenario")?,
                    evaluation: get(&e, "evaluation")?,
                })
            })
            .transpose()?;
            let agreement = sqlx::query(
                "SELECT form, partner, signed_on, in_force_from, in_force_to FROM council_agreements
                 WHERE plan_id = $1",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|a| {
                Ok::<_, StoreError>(Agreement {
                    form: get(&a, "form")?,
                    partner: get(&a, "partner")?,
                    signed_on: date(&a, "signed_on")?,
                    in_force_from: date(&a, "in_force_from")?,
                    in_force_to: optional_date(&a, "in_force_to")?,
                })
            })
            .transpose()?;
            out.push(Plan {
                id,
                plan: NewPlan {
                    kind: get(r, "kind")?,
                    title: get(r, "title")?,
                    partner: get(r, "partner")?,
                    owner: get(r, "owner")?,
                    starts: date(r, "starts")?,
                    ends: date(r, "ends")?,
                    details: get_json(r, "details", "council_plans.details")?,
                    exercise,
                    agreement,
                },
                actions,
            });
        }
        Ok(out)
    }

    /// Partner organizations: (code, name).
    pub async fn council_partners(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT code, name FROM council_partners ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((get(r, "code")?, get(r, "name")?)))
            .collect()
    }

    /// Screening requests audited between `from` (inclusive) and `to` (exclusive), dates.
    pub async fn screening_count(&self, from: Date, to: Date) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE (action = 'screen' OR action = 'screen.batch')
             AND outcome = 'success' AND at >= $1 AND at < $2",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_one(&self.pool)
        .await?)
    }
}

//! `vigil council`: the council's business on the store directly. Reads show everything (the
//! local operator's command line sees all); writes act as a named user (`--as USER`) whose
//! role and authority decide what they may do, and are audited as that user, refusals too.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use vigil_council::consensus::{Position, Procedure};
use vigil_council::money::{parse_amount, share_text};
use vigil_council::{ChairTerm, Date};
use vigil_model::Caller;
use vigil_server::council::{may_edit, may_record_position, now};
use vigil_store::council::{
    Agreement, Exercise, NewAction, NewDecision, NewDelegate, NewMeeting, NewPlan, Payment,
};
use vigil_store::{NewAuditEntry, Outcome, Store, StoreError};

#[derive(Subcommand)]
pub enum CouncilCommand {
    /// Fill an empty council with the example New Delhi session (meeting, delegations,
    /// decisions, silence procedure, budget, joint plan with INTERPOL, follow-up meeting).
    Demo,
    /// Member states (with accession dates), observers and partners.
    Members {
        #[arg(long)]
        json: bool,
    },
    /// The organization's bodies (Council, Executive Committee, Council of Heads of State,
    /// expert groups), one JSON line each.
    Bodies,
    /// Who chairs the council on a date (default today).
    Chair {
        /// YYYY-MM-DD.
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Record a chair term overriding the rotation (secretariat).
    ChairTerm {
        #[arg(long)]
        state: String,
        #[arg(long)]
        starts: String,
        /// The first day after the term.
        #[arg(long)]
        ends: String,
        #[arg(long)]
        reason: String,
        #[arg(long = "as")]
        as_user: String,
    },
    /// The meetings, one JSON line each.
    Meetings,
    /// One meeting with delegations, documents, decisions and open tasks for review (JSON):
    /// `meeting ID`; or `meeting add …` to create one (secretariat).
    #[command(args_conflicts_with_subcommands = true)]
    Meeting {
        id: Option<i64>,
        #[command(subcommand)]
        command: Option<MeetingCommand>,
    },
    /// Members of national delegations to meetings.
    #[command(subcommand)]
    Delegate(DelegateCommand),
    /// Add a programme, work plan, joint plan, agreement or exercise (secretariat).
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Actions of plans.
    #[command(subcommand)]
    Action(ActionCommand),
    /// A meeting and its side events as iCalendar.
    Ics {
        id: i64,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Decisions and positions.
    #[command(subcommand)]
    Decision(DecisionCommand),
    /// Implementation tasks, one JSON line each.
    Tasks {
        /// Only those not done.
        #[arg(long)]
        open: bool,
    },
    /// The Executive Committee's budget.
    #[command(subcommand)]
    Budget(BudgetCommand),
    /// Programmes, plans, agreements and exercises with their actions, one JSON line each.
    Plans,
    /// The report to the Council of Heads of State for a year.
    Report {
        #[arg(long)]
        year: i64,
        #[arg(long, value_enum, default_value = "markdown")]
        format: ReportFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum MeetingCommand {
    /// Create a meeting (secretariat); prints `{"id": N}`.
    Add {
        /// regular, extraordinary, expert_group or side_event.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        host_state: String,
        #[arg(long)]
        venue: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        starts: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        ends: String,
        /// An agenda item; repeat for each, in order.
        #[arg(long = "agenda")]
        agenda: Vec<String>,
        /// The meeting this one is a side event of.
        #[arg(long)]
        parent: Option<i64>,
        #[arg(long = "as")]
        as_user: String,
    },
    /// One meeting (JSON), as `meeting ID`.
    Show { id: i64 },
}

#[derive(Subcommand)]
pub enum DelegateCommand {
    /// Add a member of a state's delegation to a meeting (secretariat); the arrival must not
    /// follow the departure and the stay must overlap the meeting. Prints `{"id": N}`.
    Add {
        #[arg(long)]
        meeting: i64,
        #[arg(long)]
        state: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        arrival: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        departure: String,
        #[arg(long)]
        entry_point: String,
        /// not_required, requested, issued or refused.
        #[arg(long, default_value = "not_required")]
        visa_status: String,
        #[arg(long = "as")]
        as_user: String,
    },
}

/// `vigil council plan add`'s arguments.
#[derive(clap::Args)]
pub struct PlanAdd {
    /// programme, work_plan, joint_plan, agreement or exercise.
    #[arg(long)]
    kind: String,
    #[arg(long)]
    title: String,
    /// A partner organization's code (INTERPOL, UNSC-CTC, CIS-ATC, CSTO, CICA…).
    #[arg(long)]
    partner: Option<String>,
    #[arg(long)]
    owner: String,
    /// YYYY-MM-DD.
    #[arg(long)]
    starts: String,
    /// YYYY-MM-DD.
    #[arg(long)]
    ends: String,
    /// Details as a JSON object.
    #[arg(long)]
    details: Option<String>,
    /// An exercise's participant (kind exercise); repeat for each.
    #[arg(long = "participant")]
    participants: Vec<String>,
    /// An exercise's scenario (kind exercise).
    #[arg(long)]
    scenario: Option<String>,
    /// An exercise's evaluation (kind exercise).
    #[arg(long)]
    evaluation: Option<String>,
    /// agreement or memorandum (kind agreement).
    #[arg(long)]
    form: Option<String>,
    /// The agreement's other party (kind agreement; default: --partner).
    #[arg(long)]
    counterpart: Option<String>,
    /// YYYY-MM-DD (kind agreement).
    #[arg(long)]
    signed_on: Option<String>,
    /// YYYY-MM-DD (kind agreement; default: --signed-on).
    #[arg(long)]
    in_force_from: Option<String>,
    /// YYYY-MM-DD (kind agreement).
    #[arg(long)]
    in_force_to: Option<String>,
    #[arg(long = "as")]
    as_user: String,
}

#[derive(Subcommand)]
pub enum PlanCommand {
    /// Create a plan (secretariat); prints `{"id": N}`.
    Add(Box<PlanAdd>),
    /// Record an exercise's evaluation once made (secretariat).
    Evaluate {
        /// The exercise's plan id.
        id: i64,
        #[arg(long)]
        evaluation: String,
        #[arg(long = "as")]
        as_user: String,
    },
}

#[derive(Subcommand)]
pub enum ActionCommand {
    /// Add an action to a plan (secretariat); prints `{"id": N}`.
    Add {
        #[arg(long)]
        plan: i64,
        #[arg(long)]
        action: String,
        #[arg(long)]
        owner: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        deadline: String,
        /// planned, in_progress, done or cancelled.
        #[arg(long, default_value = "planned")]
        status: String,
        #[arg(long = "as")]
        as_user: String,
    },
    /// Set an action's status (secretariat).
    Status {
        id: i64,
        #[arg(long)]
        status: String,
        #[arg(long = "as")]
        as_user: String,
    },
}

#[derive(Subcommand)]
pub enum DecisionCommand {
    /// Every decision, one JSON line each.
    List,
    /// One decision (by number, e.g. RATS-C/2027/1) with positions and tasks.
    Show { number: String },
    /// Put a draft to the members, in a meeting or by silence procedure (secretariat).
    Propose {
        #[arg(long)]
        number: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        text: String,
        #[arg(long)]
        meeting: Option<i64>,
        /// Circulate under a silence procedure ending then (YYYY-MM-DD or UTC time).
        #[arg(long)]
        silence_deadline: Option<String>,
        #[arg(long = "as")]
        as_user: String,
    },
    /// Record your member state's position.
    Vote {
        number: String,
        #[arg(long)]
        state: String,
        /// agree, object, abstain or not_yet.
        #[arg(long)]
        position: String,
        /// The position was given in writing (required for objections under silence).
        #[arg(long)]
        in_writing: bool,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long = "as")]
        as_user: String,
    },
    /// Record adoption by consensus in a meeting; refused while any member objects.
    Adopt {
        number: String,
        #[arg(long = "as")]
        as_user: String,
    },
}

#[derive(Subcommand)]
pub enum BudgetCommand {
    /// Shares, contributions due, paid and arrears of a year (JSON).
    Show {
        #[arg(long)]
        year: i64,
    },
    /// Record a member's payment (secretariat).
    Pay {
        #[arg(long)]
        year: i64,
        #[arg(long)]
        state: String,
        /// Decimal amount, e.g. 236000.00.
        #[arg(long)]
        amount: String,
        #[arg(long)]
        currency: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        received_on: String,
        #[arg(long = "as")]
        as_user: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Pdf,
    Json,
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}

fn date(field: &str, text: &str) -> Result<Date> {
    Date::parse(field, text).map_err(|e| anyhow!("--{e}"))
}

/// The user `name` as a caller.
async fn caller(store: &Store, name: &str) -> Result<Caller> {
    let user = store
        .users()
        .await?
        .into_iter()
        .find(|u| u.name == name)
        .ok_or_else(|| anyhow!("--as: no user named {name:?} (see `vigil user list`)"))?;
    let kind = store
        .authorities()
        .await?
        .into_iter()
        .find(|a| a.code == user.authority)
        .map(|a| a.kind)
        .ok_or_else(|| anyhow!("user {name}'s authority {} is unknown", user.authority))?;
    Ok(Caller::new(&user.name, &user.authority, kind, user.role))
}

/// Runs a write as `who`, auditing a refusal (`denied`) or failure (`failed`).
async fn write<T, F, Fut>(
    store: &Store,
    who: &Caller,
    action: &str,
    allowed: bool,
    why: &str,
    f: F,
) -> Result<T>
where
    F: FnOnce(NewAuditEntry) -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let entry = |outcome| NewAuditEntry::new(&who.user, &who.authority, action, outcome);
    if !allowed {
        store.audit(&entry(Outcome::Denied).detail(why)).await?;
        bail!("{}: {why}", who.user);
    }
    match f(entry(Outcome::Success)).await {
        Ok(v) => Ok(v),
        Err(e) => {
            store
                .audit(&entry(Outcome::Failed).detail(e.to_string()))
                .await?;
            Err(e.into())
        }
    }
}

const SECRETARIAT: &str = "only the secretariat edits the council's records";

fn write_out(output: Option<&PathBuf>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

pub async fn run(store: &Store, command: CouncilCommand) -> Result<()> {
    match command {
        CouncilCommand::Demo => {
            let summary = vigil_server::council_demo::demo(store).await?;
            print_json(&summary)
        }
        CouncilCommand::Members { json } => {
            for m in store.council_members().await? {
                if json {
                    print_json(&m)?;
                } else {
                    println!("{}\t{}\t{}\tsince {}", m.state, m.name, m.status, m.since);
                }
            }
            Ok(())
        }
        CouncilCommand::Bodies => {
            for b in store.council_bodies().await? {
                print_json(&b)?;
            }
            Ok(())
        }
        CouncilCommand::Chair { on, json } => {
            let on = match on {
                Some(text) => date("on", &text)?,
                None => date("on", &now()[..10])?,
            };
            let term = store.chair_on(on).await?.ok_or_else(|| {
                anyhow!("no chair rotation is recorded (try `vigil council demo`)")
            })?;
            if json {
                print_json(&term)
            } else {
                println!(
                    "{} chairs on {on} (term {} to {}{})",
                    term.state,
                    term.starts,
                    term.ends.add_days(-1),
                    if term.overridden {
                        ", recorded override"
                    } else {
                        ""
                    }
                );
                Ok(())
            }
        }
        CouncilCommand::ChairTerm {
            state,
            starts,
            ends,
            reason,
            as_user,
        } => {
            let who = caller(store, &as_user).await?;
            let term = ChairTerm {
                state,
                starts: date("starts", &starts)?,
                ends: date("ends", &ends)?,
                overridden: true,
                reason,
            };
            write(
                store,
                &who,
                "council.chair.term",
                may_edit(&who),
                SECRETARIAT,
                |a| async move { store.record_chair_term(&term, &a).await },
            )
            .await
        }
        CouncilCommand::Meetings => {
            for m in store.meetings().await? {
                print_json(&m)?;
            }
            Ok(())
        }
        CouncilCommand::Meeting { id, command } => match (id, command) {
            (Some(id), None) | (None, Some(MeetingCommand::Show { id })) => {
                print_json(&store.meeting(id).await?)
            }
            (
                None,
                Some(MeetingCommand::Add {
                    kind,
                    title,
                    host_state,
                    venue,
                    starts,
                    ends,
                    agenda,
                    parent,
                    as_user,
                }),
            ) => {
                let who = caller(store, &as_user).await?;
                let m = NewMeeting {
                    kind,
                    title,
                    host_state,
                    venue,
                    starts: date("starts", &starts)?,
                    ends: date("ends", &ends)?,
                    agenda,
                    parent_id: parent,
                };
                let id = write(
                    store,
                    &who,
                    "council.meeting.create",
                    may_edit(&who),
                    SECRETARIAT,
                    |a| async move { store.create_meeting(&m, &a).await },
                )
                .await?;
                print_json(&serde_json::json!({ "id": id }))
            }
            _ => bail!("give a meeting's id, or `meeting add …`"),
        },
        CouncilCommand::Delegate(DelegateCommand::Add {
            meeting,
            state,
            name,
            role,
            arrival,
            departure,
            entry_point,
            visa_status,
            as_user,
        }) => {
            let who = caller(store, &as_user).await?;
            let d = NewDelegate {
                state,
                name,
                role,
                arrival: date("arrival", &arrival)?,
                departure: date("departure", &departure)?,
                entry_point,
                visa_status,
            };
            let id = write(
                store,
                &who,
                "council.delegate.add",
                may_edit(&who),
                SECRETARIAT,
                |a| async move { store.add_delegate(meeting, &d, &a).await },
            )
            .await?;
            print_json(&serde_json::json!({ "id": id }))
        }
        CouncilCommand::Plan(PlanCommand::Add(args)) => {
            let PlanAdd {
                kind,
                title,
                partner,
                owner,
                starts,
                ends,
                details,
                participants,
                scenario,
                evaluation,
                form,
                counterpart,
                signed_on,
                in_force_from,
                in_force_to,
                as_user,
            } = *args;
            let who = caller(store, &as_user).await?;
            let exercise = if kind == "exercise" {
                Some(Exercise {
                    participants,
                    scenario: scenario
                        .ok_or_else(|| anyhow!("--scenario: an exercise needs its scenario"))?,
                    evaluation,
                })
            } else if !participants.is_empty() || scenario.is_some() || evaluation.is_some() {
                bail!("--participant, --scenario, --evaluation: only for --kind exercise");
            } else {
                None
            };
            let agreement = if kind == "agreement" {
                let signed =
                    signed_on.ok_or_else(|| anyhow!("--signed-on: an agreement needs it"))?;
                Some(Agreement {
                    form: form.unwrap_or_else(|| "agreement".into()),
                    partner: counterpart.or_else(|| partner.clone()).ok_or_else(|| {
                        anyhow!("--counterpart: an agreement needs its other party")
                    })?,
                    signed_on: date("signed-on", &signed)?,
                    in_force_from: date(
                        "in-force-from",
                        in_force_from.as_deref().unwrap_or(&signed),
                    )?,
                    in_force_to: in_force_to.map(|t| date("in-force-to", &t)).transpose()?,
                })
            } else if form.is_some()
                || counterpart.is_some()
                || signed_on.is_some()
                || in_force_from.is_some()
                || in_force_to.is_some()
            {
                bail!(
                    "--form, --counterpart, --signed-on, --in-force-*: only for --kind agreement"
                );
            } else {
                None
            };
            let details = match details {
                Some(text) => {
                    serde_json::from_str(&text).map_err(|e| anyhow!("--details: not JSON: {e}"))?
                }
                None => serde_json::Value::Null,
            };
            let p = NewPlan {
                kind,
                title,
                partner,
                owner,
                starts: date("starts", &starts)?,
                ends: date("ends", &ends)?,
                details,
                exercise,
                agreement,
            };
            let id = write(
                store,
                &who,
                "council.plan.create",
                may_edit(&who),
                SECRETARIAT,
                |a| async move { store.create_plan(&p, &a).await },
            )
            .await?;
            print_json(&serde_json::json!({ "id": id }))
        }
        CouncilCommand::Plan(PlanCommand::Evaluate {
            id,
            evaluation,
            as_user,
        }) => {
            let who = caller(store, &as_user).await?;
            write(
                store,
                &who,
                "council.exercise.evaluate",
                may_edit(&who),
                SECRETARIAT,
                |a| async move { store.set_exercise_evaluation(id, &evaluation, &a).await },
            )
            .await
        }
        CouncilCommand::Action(ActionCommand::Add {
            plan,
            action,
            owner,
            deadline,
            status,
            as_user,
        }) => {
            let who = caller(store, &as_user).await?;
            let a = NewAction {
                action,
                owner,
                deadline: date("deadline", &deadline)?,
                status,
            };
            let id = write(
                store,
                &who,
                "council.action.add",
                may_edit(&who),
                SECRETARIAT,
                |e| async move { store.add_action(plan, &a, &e).await },
            )
            .await?;
            print_json(&serde_json::json!({ "id": id }))
        }
        CouncilCommand::Action(ActionCommand::Status {
            id,
            status,
            as_user,
        }) => {
            let who = caller(store, &as_user).await?;
            write(
                store,
                &who,
                "council.action.status",
                may_edit(&who),
                SECRETARIAT,
                |a| async move { store.set_action_status(id, &status, &a).await },
            )
            .await
        }
        CouncilCommand::Ics { id, output } => {
            let ics = vigil_server::council::meeting_calendar(store, id).await?;
            write_out(output.as_ref(), ics.as_bytes())
        }
        CouncilCommand::Decision(command) => decision(store, command).await,
        CouncilCommand::Tasks { open } => {
            for t in store.tasks().await? {
                if !open || t.status != "done" {
                    print_json(&t)?;
                }
            }
            Ok(())
        }
        CouncilCommand::Budget(BudgetCommand::Show { year }) => {
            let b = store.budget(year).await?;
            print_json(&b)?;
            for c in &b.contributions {
                eprintln!(
                    "{}\t{}%\tdue {}\tpaid {}\tarrears {} {}",
                    c.state,
                    share_text(c.share),
                    c.due,
                    c.paid,
                    c.arrears,
                    b.currency
                );
            }
            Ok(())
        }
        CouncilCommand::Budget(BudgetCommand::Pay {
            year,
            state,
            amount,
            currency,
            received_on,
            as_user,
        }) => {
            let who = caller(store, &as_user).await?;
            let payment = Payment {
                state,
                amount: parse_amount("amount", &amount).map_err(|e| anyhow!("--{e}"))?,
                currency,
                received_on: date("received-on", &received_on)?,
            };
            let b = write(
                store,
                &who,
                "council.payment",
                may_edit(&who),
                SECRETARIAT,
                |a| async move { store.record_payment(year, &payment, &a).await },
            )
            .await?;
            print_json(&b)
        }
        CouncilCommand::Plans => {
            for p in store.plans().await? {
                print_json(&p)?;
            }
            Ok(())
        }
        CouncilCommand::Report {
            year,
            format,
            output,
        } => {
            let report = vigil_server::council::assemble_report(store, year, &now()).await?;
            let bytes = match format {
                ReportFormat::Markdown => vigil_council::report::markdown(&report).into_bytes(),
                ReportFormat::Pdf => {
                    vigil_council::report::pdf(&vigil_council::report::markdown(&report))
                }
                ReportFormat::Json => {
                    let mut v = serde_json::to_vec(&report)?;
                    v.push(b'\n');
                    v
                }
            };
            write_out(output.as_ref(), &bytes)
        }
    }
}

async fn decision(store: &Store, command: DecisionCommand) -> Result<()> {
    match command {
        DecisionCommand::List => {
            for d in store.decisions(&now()).await? {
                print_json(&d)?;
            }
            Ok(())
        }
        DecisionCommand::Show { number } => {
            let id = store.decision_id(&number).await?;
            print_json(&store.decision(id, &now()).await?)
        }
        DecisionCommand::Propose {
            number,
            title,
            text,
            meeting,
            silence_deadline,
            as_user,
        } => {
            let who = caller(store, &as_user).await?;
            let d = NewDecision {
                number,
                title,
                text,
                meeting_id: meeting,
                procedure: match silence_deadline {
                    Some(deadline) => Procedure::Silence { deadline },
                    None => Procedure::Meeting,
                },
            };
            let id = write(
                store,
                &who,
                "council.decision.create",
                may_edit(&who),
                SECRETARIAT,
                |a| async move { store.create_decision(&d, &now(), &a).await },
            )
            .await?;
            print_json(&store.decision(id, &now()).await?)
        }
        DecisionCommand::Vote {
            number,
            state,
            position,
            in_writing,
            note,
            as_user,
        } => {
            let who = caller(store, &as_user).await?;
            let position = Position::parse("position", &position).map_err(|e| anyhow!("--{e}"))?;
            let id = store.decision_id(&number).await?;
            let allowed = may_record_position(&who, &state);
            let d = write(
                store,
                &who,
                "council.position",
                allowed,
                "only a member state's own analysts and admins record its position",
                |a| async move {
                    store
                        .record_position(id, &state, position, in_writing, &note, &now(), &a)
                        .await
                },
            )
            .await?;
            print_json(&d)
        }
        DecisionCommand::Adopt { number, as_user } => {
            let who = caller(store, &as_user).await?;
            let id = store.decision_id(&number).await?;
            let d = write(
                store,
                &who,
                "council.decision.adopt",
                may_edit(&who),
                SECRETARIAT,
                |a| async move { store.adopt_decision(id, &now(), &a).await },
            )
            .await?;
            print_json(&d)
        }
    }
}

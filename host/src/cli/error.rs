//! How a failed command reports: `error: …` and the causes not already in it, never a backtrace
//! (a user's error is not a bug; panics keep theirs behind `RUST_BACKTRACE`).

/// The lines `edgekd` prints for `err`: `error: TOP`, then `  caused by: …` for each source whose
/// text the lines before do not already hold.
pub fn lines(err: &anyhow::Error) -> Vec<String> {
    let mut out = vec![format!("error: {err}")];
    let mut seen = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !seen.contains(&text) {
            out.push(format!("  caused by: {text}"));
            seen.push_str(&text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_already_in_the_message_are_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = anyhow::Error::new(io).context("reading runs/x.csv: no such file");
        assert_eq!(lines(&err), ["error: reading runs/x.csv: no such file"]);
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = anyhow::Error::new(io).context("edgekd assets");
        assert_eq!(
            lines(&err),
            ["error: edgekd assets", "  caused by: no such file"]
        );
    }

    #[test]
    fn no_backtrace_even_when_one_was_captured() {
        let err = anyhow::anyhow!("no column `text`");
        let text = lines(&err).join("\n");
        assert!(!text.contains("backtrace"), "{text}");
        assert_eq!(text, "error: no column `text`");
    }
}

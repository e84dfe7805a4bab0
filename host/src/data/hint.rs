//! What to do about a column a table lacks: the delimiter the header seems to use, or the closest
//! column names (by edit distance).

/// A hint for the missing column `wanted` of a header split on `delimiter` into `header` (`None`:
/// the keys of a JSON object).
pub fn missing_column_hint(header: &[String], wanted: &str, delimiter: Option<u8>) -> String {
    if let Some(hint) = delimiter_hint(header, delimiter) {
        return hint;
    }
    let close = closest(header, wanted);
    if close.is_empty() {
        format!(
            "name the column with --text-col / --label-col (the header has: {})",
            header.join(", ")
        )
    } else {
        format!(
            "did you mean {}? (--text-col / --label-col name the columns)",
            close.join(" or ")
        )
    }
}

/// When a header read as one field holds another delimiter: the prefix that reads it.
fn delimiter_hint(header: &[String], delimiter: Option<u8>) -> Option<String> {
    let [only] = header else { return None };
    let (name, prefix) = match delimiter {
        Some(b',') if only.contains('\t') => ("tab", "tsv"),
        Some(b'\t') if only.contains(',') => ("comma", "csv"),
        _ => return None,
    };
    Some(format!(
        "the header looks {name}-separated; pass the table as {prefix}:PATH (the prefix sets the format)"
    ))
}

/// The header names within edit distance 2 of `wanted` (case ignored), closest first.
fn closest(header: &[String], wanted: &str) -> Vec<String> {
    let wanted = wanted.to_lowercase();
    let mut scored: Vec<(usize, &String)> = header
        .iter()
        .map(|h| (strsim::levenshtein(&h.to_lowercase(), &wanted), h))
        .filter(|(d, _)| *d <= 2)
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, h)| format!("`{h}`")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_tab_separated_header_read_as_csv_names_the_prefix() {
        let hint = missing_column_hint(&header(&["text\tlabel"]), "text", Some(b','));
        assert_eq!(
            hint,
            "the header looks tab-separated; pass the table as tsv:PATH (the prefix sets the format)"
        );
        let hint = missing_column_hint(&header(&["text,label"]), "text", Some(b'\t'));
        assert!(
            hint.contains("comma-separated; pass the table as csv:PATH"),
            "{hint}"
        );
    }

    #[test]
    fn a_misspelt_column_gets_the_closest_names() {
        let hint = missing_column_hint(&header(&["Text", "labels", "id"]), "label", Some(b','));
        assert_eq!(
            hint,
            "did you mean `labels`? (--text-col / --label-col name the columns)"
        );
        let hint = missing_column_hint(&header(&["review", "sentiment"]), "text", Some(b','));
        assert!(hint.contains("the header has: review, sentiment"), "{hint}");
    }
}

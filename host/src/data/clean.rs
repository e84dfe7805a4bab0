//! Text cleaning before anything else sees a text: HTML entities decoded, control characters
//! and U+FFFD (left by invalid UTF-8) removed, whitespace collapsed to single spaces, trimmed.

/// Cleans one text (see the module doc). Idempotent except on doubly-encoded entities
/// (`&amp;amp;` becomes `&amp;`, then `&`).
pub fn clean(text: &str) -> String {
    let decoded = decode_entities(text);
    let mut out = String::with_capacity(decoded.len());
    let mut pending_space = false;
    for c in decoded.chars() {
        if c.is_whitespace() || c.is_control() || c == '\u{feff}' {
            pending_space = !out.is_empty();
        } else if c == '\u{fffd}' {
            continue;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// The key under which two texts count as duplicates: the cleaned text, lower-cased.
pub fn dedup_key(cleaned: &str) -> String {
    cleaned.to_lowercase()
}

/// Decodes `&amp; &lt; &gt; &quot; &apos; &nbsp;`, `&#NNN;` and `&#xHH;`; anything else is kept.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let semi = tail.get(..12).unwrap_or(tail).find(';');
        let decoded = semi.and_then(|j| entity(tail.get(1..j)?).map(|c| (c, j)));
        match decoded {
            Some((c, j)) => {
                out.push(c);
                rest = tail.get(j + 1..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_entities_and_collapses_whitespace() {
        assert_eq!(
            clean("  Fish &amp; chips\t\n&quot;ok&quot; &#39;x&#x27; "),
            "Fish & chips \"ok\" 'x'"
        );
        assert_eq!(clean("a &unknown; b & c"), "a &unknown; b & c");
        assert_eq!(clean("\u{feff}bom\u{0007}bell\u{fffd}"), "bom bell");
        assert_eq!(clean(""), "");
    }

    #[test]
    fn is_idempotent() {
        for s in ["a  b", "&amp; x", " x\r\ny ", "&#999999999;"] {
            assert_eq!(clean(&clean(s)), clean(s), "{s:?}");
        }
    }

    #[test]
    fn dedup_key_ignores_case() {
        assert_eq!(dedup_key("Great Film"), dedup_key("great film"));
    }
}

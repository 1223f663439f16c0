//! Which text the portal accepts: only text that both database engines
//! store alike. PostgreSQL refuses NUL (U+0000) in text values while SQLite
//! keeps it, so NUL is refused wherever text comes in, before any work is
//! done (the `text_input` middleware answers `AppError::InvalidText`).
//! Every other Unicode character is stored the same on both.

/// Whether URL-encoded text (a path, a query string, a form body) holds
/// NUL once decoded: `%00`, or a raw NUL byte.
pub fn url_encoded_has_nul(encoded: &[u8]) -> bool {
    percent_encoding::percent_decode(encoded).any(|byte| byte == 0)
}

/// Whether any string of a JSON document, key or value, holds NUL.
pub fn json_has_nul(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(json_has_nul),
        Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| key.contains('\0') || json_has_nul(value)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn url_encoded_nul_is_found_however_it_is_written() {
        for encoded in ["q=a%00b", "%00", "a=1&b=%00", "x\0y", "%2500%00"] {
            assert!(url_encoded_has_nul(encoded.as_bytes()), "{encoded}");
        }
        for encoded in [
            "q=a%2500b",
            "q=%ZZ",
            "q=%0",
            "q=%",
            "a=%01&b=%FF",
            "plain+text",
        ] {
            assert!(!url_encoded_has_nul(encoded.as_bytes()), "{encoded}");
        }
    }

    #[test]
    fn json_nul_is_found_in_keys_and_nested_values() {
        for value in [
            json!("a\u{0}b"),
            json!({"note": "x\u{0}"}),
            json!({"a\u{0}": 1}),
            json!({"order_ids": [1, 2], "deep": [[{"x": ["\u{0}"]}]]}),
        ] {
            assert!(json_has_nul(&value), "{value}");
        }
        for value in [
            json!(null),
            json!({"note": "\\u0000 written out", "n": 0, "ok": false}),
            json!(["a", {"b": "c"}]),
        ] {
            assert!(!json_has_nul(&value), "{value}");
        }
    }
}

//! The JSON every server function answers with, read in the browser as
//! text.
//!
//! A page's data reaches the browser twice: in the page's HTML, where each
//! resource's value is read from a string, and in a server function's
//! answer. The framework's own JSON codec reads answers from bytes, so
//! every type a page shows was compiled into the bundle twice, once for
//! each kind of reader (docs/decisions.md, "One JSON reader in the
//! browser"). The bytes on the wire are the same JSON either way.

use bytes::Bytes;
use leptos::server_fn::codec::Post;
use leptos::server_fn::{ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::{DeserializeOwned, Error as _};

/// `application/json`, decoded from text.
pub struct TextJsonEncoding;

/// Arguments in the body of a `POST`, answers as [`TextJsonEncoding`]: the
/// `output` of every server function.
pub type TextJson = Post<TextJsonEncoding>;

impl ContentType for TextJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for TextJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde_json::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_error::ApiError;

    #[test]
    fn what_is_encoded_decodes_to_the_same_value() {
        let error = ApiError::new("conflict", "Ünïcode survives.");
        let bytes = <TextJsonEncoding as Encodes<ApiError>>::encode(&error).unwrap();
        assert_eq!(bytes, serde_json::to_vec(&error).unwrap());
        let decoded: ApiError = TextJsonEncoding::decode(bytes).unwrap();
        assert_eq!(decoded, error);
    }

    #[test]
    fn bytes_that_are_not_text_are_an_error_and_not_a_panic() {
        let decoded: Result<ApiError, _> =
            TextJsonEncoding::decode(Bytes::from_static(b"\"\xff\""));
        assert!(decoded.is_err());
    }
}

//! How an upload travels to the server function `upload_attachments`: the
//! browser's `FormData` goes out as `multipart/form-data`, with the order in
//! the query string; the server gets the order, the content type and the
//! body as a stream, unread.
//!
//! Leptos's own multipart encoding would hand the server function a parser
//! it has already built without bounds, and it panics on a body without a
//! boundary. With this one, the server function checks the order and the
//! caller's right first, then reads the body through `upload_form`, within
//! the same bounds as the JSON route.

use crate::api::UploadAttachments;
use crate::api_error::ApiError;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http::Method;
use leptos::server_fn::ContentType;
use leptos::server_fn::codec::{Encoding, FromReq, IntoReq};
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::request::browser::BrowserFormData;
use leptos::server_fn::request::{ClientReq, Req};
use std::pin::Pin;

/// `multipart/form-data`, read by `upload_form` instead of by the framework.
pub struct UploadEncoding;

impl ContentType for UploadEncoding {
    const CONTENT_TYPE: &'static str = "multipart/form-data";
}

impl Encoding for UploadEncoding {
    const METHOD: Method = Method::POST;
}

/// The body as it arrives: chunks, or the error that cut it short.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, ApiError>> + Send>>;

/// An upload: going out from the browser, or coming in to the server.
pub enum UploadBody {
    Outgoing {
        order_id: i64,
        form: BrowserFormData,
    },
    Incoming(IncomingUpload),
}

/// What the server function receives.
pub struct IncomingUpload {
    /// The request's query string: `order=<id>`.
    pub query: Option<String>,
    pub content_type: Option<String>,
    pub body: BodyStream,
}

impl IncomingUpload {
    /// The order the upload is for; a query without one names no order.
    pub fn order_id(&self) -> Option<i64> {
        order_in_query(self.query.as_deref())
    }
}

/// The order an upload's query string (`order=<id>`) names.
pub fn order_in_query(query: Option<&str>) -> Option<i64> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("order="))?
        .parse()
        .ok()
}

impl UploadBody {
    /// The files and fields of `form`, for `order_id`.
    pub fn new(order_id: i64, form: web_sys::FormData) -> UploadBody {
        UploadBody::Outgoing {
            order_id,
            form: form.into(),
        }
    }

    /// The server's side of the upload; `None` for one still going out.
    pub fn incoming(self) -> Option<IncomingUpload> {
        match self {
            UploadBody::Incoming(incoming) => Some(incoming),
            UploadBody::Outgoing { .. } => None,
        }
    }
}

impl std::fmt::Debug for UploadBody {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UploadBody::Outgoing { order_id, .. } => {
                write!(formatter, "upload to order {order_id}")
            }
            UploadBody::Incoming(incoming) => {
                write!(formatter, "upload, query {:?}", incoming.query)
            }
        }
    }
}

impl<Request, Error> IntoReq<UploadEncoding, Request, Error> for UploadAttachments
where
    Request: ClientReq<Error, FormData = BrowserFormData>,
    Error: FromServerFnError,
{
    fn into_req(self, path: &str, accepts: &str) -> Result<Request, Error> {
        match UploadBody::from(self) {
            UploadBody::Outgoing { order_id, form } => {
                Request::try_new_post_multipart(&format!("{path}?order={order_id}"), accepts, form)
            }
            UploadBody::Incoming(_) => Err(Error::from_server_fn_error(
                ServerFnErrorErr::Serialization("a received upload cannot be sent on".to_owned()),
            )),
        }
    }
}

impl<Request, Error> FromReq<UploadEncoding, Request, Error> for UploadAttachments
where
    Request: Req<Error> + Send + 'static,
    Error: FromServerFnError + Send,
{
    async fn from_req(request: Request) -> Result<Self, Error> {
        let query = request.as_query().map(str::to_owned);
        let content_type = request.to_content_type().map(|value| value.into_owned());
        let body = request
            .try_into_stream()?
            .map(|chunk| chunk.map_err(ApiError::de));
        Ok(UploadBody::Incoming(IncomingUpload {
            query,
            content_type,
            body: Box::pin(body),
        })
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(query: Option<&str>) -> IncomingUpload {
        IncomingUpload {
            query: query.map(str::to_owned),
            content_type: None,
            body: Box::pin(futures_util::stream::empty()),
        }
    }

    #[test]
    fn the_order_comes_from_the_query() {
        assert_eq!(incoming(Some("order=42")).order_id(), Some(42));
        assert_eq!(incoming(Some("x=1&order=7")).order_id(), Some(7));
        for query in [
            None,
            Some(""),
            Some("order="),
            Some("order=abc"),
            Some("orders=1"),
        ] {
            assert_eq!(incoming(query).order_id(), None, "{query:?}");
        }
    }
}

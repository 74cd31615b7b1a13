//! Response bodies: whole, or cut short on purpose to emulate a connection lost mid-response.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

/// A response body.
#[derive(Debug)]
pub(crate) enum Body {
    /// The whole body in one frame.
    Full(Option<Bytes>),
    /// The first part of a body whose full length was announced, then an error that closes the
    /// connection before the rest.
    Truncated { part: Option<Bytes>, announced: u64 },
}

impl Body {
    pub(crate) fn full(bytes: impl Into<Bytes>) -> Self {
        Self::Full(Some(bytes.into()))
    }

    /// The same body, stopped half-way.
    pub(crate) fn truncate(self) -> Self {
        match self {
            Self::Full(Some(bytes)) => Self::Truncated {
                announced: bytes.len() as u64,
                part: Some(bytes.slice(..bytes.len() / 2)),
            },
            other => other,
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(match self.get_mut() {
            Self::Full(data) => data.take().map(|bytes| Ok(Frame::data(bytes))),
            Self::Truncated { part, .. } => match part.take() {
                Some(bytes) => Some(Ok(Frame::data(bytes))),
                None => Some(Err(std::io::Error::other(
                    "response truncated by an injected fault",
                ))),
            },
        })
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Self::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Full(data) => SizeHint::with_exact(data.as_ref().map_or(0, |b| b.len() as u64)),
            Self::Truncated { announced, .. } => SizeHint::with_exact(*announced),
        }
    }
}

//! Every page of `ListAsyncEvents`, as a stream.

use futures_core::Stream;
use scf_model::{AsyncEvent, ListAsyncEventsRequest};

use crate::client::Client;
use crate::error::Error;

/// The page size the stream asks for: the service's maximum.
const PAGE: u64 = 100;

impl Client {
    /// Every event matching `request`, fetching pages of `Limit` events (100 unless the request says) and
    /// moving `Offset` along until `TotalCount` is reached or a page comes back empty.
    pub fn list_all_async_events(
        &self,
        request: ListAsyncEventsRequest,
    ) -> impl Stream<Item = Result<AsyncEvent, Error>> + Send + '_ {
        let limit = request.limit.unwrap_or(PAGE);
        let start = request.offset.unwrap_or(0);
        let state = (request, start, Vec::<AsyncEvent>::new().into_iter(), false);
        futures_util::stream::unfold(
            state,
            move |(mut request, offset, mut page, done)| async move {
                if let Some(event) = page.next() {
                    return Some((Ok(event), (request, offset, page, done)));
                }
                if done {
                    return None;
                }
                request.offset = Some(offset);
                request.limit = Some(limit);
                match self.list_async_events(&request).await {
                    Ok(response) => {
                        let fetched = response.event_list.len() as u64;
                        let next = offset + fetched;
                        let done = fetched == 0 || next >= response.total_count;
                        let mut page = response.event_list.into_iter();
                        let first = page.next()?;
                        Some((Ok(first), (request, next, page, done)))
                    }
                    Err(error) => Some((Err(error), (request, offset, page, true))),
                }
            },
        )
    }
}

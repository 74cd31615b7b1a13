//! Every page of a paginated action, as one stream of items.

use std::future::Future;

use futures_core::FusedStream;
use futures_util::StreamExt;
use tc_api::Paginated;

use crate::client::Client;
use crate::error::Error;
use crate::request_builder::RequestBuilder;

impl<R> RequestBuilder<R, Client>
where
    R: Paginated + Send + Sync + 'static,
    R::Item: Send + 'static,
    R::Response: Send,
{
    /// Every item of every page, fetched one page at a time.
    ///
    /// The walk starts at the request's `Offset` (0 when unset) with pages of its `Limit` (the service's
    /// default when unset), moves the offset past each page, and ends after the last page
    /// ([`tc_api::Page::has_next`]: the total is reached or a page comes back empty). A failed page is the
    /// stream's last item; an ended stream stays ended.
    pub fn into_paginator(
        self,
    ) -> impl FusedStream<Item = Result<R::Item, Error>> + Send + 'static {
        let (client, request, unset) = self.into_parts();
        walk(request, move |request| {
            let client = client.clone();
            async move { client.execute(&request, unset).await }
        })
    }
}

/// Where a walk through the pages stands.
struct Walk<R: Paginated, F> {
    request: R,
    fetch: F,
    /// The offset of the next page to fetch.
    offset: u64,
    /// The rest of the page fetched last.
    page: std::vec::IntoIter<R::Item>,
    more: bool,
}

/// The items of every page, fetching each with `fetch` once the previous page is used up. Once ended it
/// stays ended: polling it again yields `None`.
pub(crate) fn walk<R, F, Fut>(
    request: R,
    fetch: F,
) -> impl FusedStream<Item = Result<R::Item, Error>>
where
    R: Paginated,
    F: FnMut(R) -> Fut,
    Fut: Future<Output = Result<R::Response, Error>>,
{
    let start = Walk {
        offset: request.offset(),
        request,
        fetch,
        page: Vec::new().into_iter(),
        more: true,
    };
    futures_util::stream::unfold(start, |mut walk| async move {
        loop {
            if let Some(item) = walk.page.next() {
                return Some((Ok(item), walk));
            }
            if !walk.more {
                return None;
            }
            walk.request.set_offset(walk.offset);
            match (walk.fetch)(walk.request.clone()).await {
                Ok(response) => {
                    let page = R::into_page(response);
                    walk.more = page.has_next(walk.offset);
                    walk.offset = walk.offset.saturating_add(page.items.len() as u64);
                    walk.page = page.items.into_iter();
                }
                Err(error) => {
                    walk.more = false;
                    return Some((Err(error), walk));
                }
            }
        }
    })
    .fuse()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::{Arc, Mutex};

    use scf_model::{ListAsyncEventsRequest, ListAsyncEventsResponse};

    use super::*;

    /// A service holding `total` events that answers pages of `limit` and records each offset asked.
    fn service(
        total: u64,
        offsets: Arc<Mutex<Vec<u64>>>,
    ) -> impl FnMut(ListAsyncEventsRequest) -> std::future::Ready<Result<ListAsyncEventsResponse, Error>>
    {
        move |request| {
            let offset = Paginated::offset(&request);
            offsets.lock().unwrap().push(offset);
            let limit = request.limit.map_or(20, |limit| limit as u64);
            let events: Vec<_> = (offset..total.min(offset + limit))
                .map(|n| {
                    serde_json::json!({
                        "InvokeRequestId": format!("e-{n}"), "InvokeType": "Event", "Qualifier": "$LATEST",
                        "Status": "FINISHED", "StartTime": "", "EndTime": ""
                    })
                })
                .collect();
            let body =
                serde_json::json!({"TotalCount": total, "EventList": events, "RequestId": "r"});
            std::future::ready(Ok(serde_json::from_value(body).unwrap()))
        }
    }

    async fn walk_ids(
        request: ListAsyncEventsRequest,
        total: u64,
        offsets: &Arc<Mutex<Vec<u64>>>,
    ) -> Vec<String> {
        walk(request, service(total, Arc::clone(offsets)))
            .map(|event| event.unwrap().invoke_request_id)
            .collect()
            .await
    }

    #[tokio::test]
    async fn the_walk_asks_each_page_once_and_stops_at_the_total() {
        let offsets = Arc::default();
        let request = ListAsyncEventsRequest::default()
            .function_name("f")
            .limit(10);
        let ids = walk_ids(request, 45, &offsets).await;
        assert_eq!(ids.len(), 45);
        assert_eq!((ids[0].as_str(), ids[44].as_str()), ("e-0", "e-44"));
        assert_eq!(*offsets.lock().unwrap(), [0, 10, 20, 30, 40]);

        // A total that is a multiple of the page ends without asking for an empty page.
        let offsets = Arc::default();
        let request = ListAsyncEventsRequest::default()
            .function_name("f")
            .limit(10);
        assert_eq!(walk_ids(request, 20, &offsets).await.len(), 20);
        assert_eq!(*offsets.lock().unwrap(), [0, 10]);
    }

    #[tokio::test]
    async fn the_walk_starts_at_the_requested_offset_and_an_empty_listing_asks_once() {
        let offsets = Arc::default();
        let request = ListAsyncEventsRequest::default()
            .function_name("f")
            .offset(5)
            .limit(10);
        let ids = walk_ids(request, 12, &offsets).await;
        assert_eq!(ids.first().map(String::as_str), Some("e-5"));
        assert_eq!(ids.len(), 7);
        assert_eq!(*offsets.lock().unwrap(), [5]);

        let offsets = Arc::default();
        let request = ListAsyncEventsRequest::default().function_name("f");
        assert_eq!(walk_ids(request, 0, &offsets).await, Vec::<String>::new());
        assert_eq!(*offsets.lock().unwrap(), [0]);
    }

    #[tokio::test]
    async fn a_failed_page_ends_the_walk_after_the_items_before_it() {
        let mut pages = 0;
        let mut inner = service(45, Arc::default());
        let fetch = move |request: ListAsyncEventsRequest| {
            pages += 1;
            if pages == 2 {
                std::future::ready(Err(Error::new(
                    scf_transport::Error::invalid_request("ListAsyncEvents", "page two fails"),
                    None,
                )))
            } else {
                inner(request)
            }
        };
        let request = ListAsyncEventsRequest::default()
            .function_name("f")
            .limit(10);
        let items: Vec<_> = walk(request, fetch).collect().await;
        assert_eq!(items.len(), 11);
        assert!(items[..10].iter().all(Result::is_ok));
        assert_eq!(items[10].as_ref().unwrap_err().action(), "ListAsyncEvents");
    }
}

//! Offset paging, as data a generic paginator can drive: where the offset goes and what a page holds.

use crate::action::Action;

/// A request of an action that pages its results with an offset and a count of all items.
///
/// Generated for each action whose spec has an `Offset`/`Limit` pair and one list in its response.
pub trait Paginated: Action + Clone {
    /// One item of a page.
    type Item;

    /// The offset this request asks for; 0 when unset.
    fn offset(&self) -> u64;

    /// Asks for the page that starts at `offset`.
    fn set_offset(&mut self, offset: u64);

    /// The items of a page and the count of all items, when the service tells it.
    fn into_page(response: Self::Response) -> Page<Self::Item>;
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items all pages hold, when the service says.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// Whether a page after this one may hold more items, given the offset this page started at.
    ///
    /// An empty page ends the walk even when the total says otherwise, so a total that shrinks or lies
    /// cannot make a paginator ask for the same page forever.
    pub fn has_next(&self, offset: u64) -> bool {
        if self.items.is_empty() {
            return false;
        }
        let next = offset.saturating_add(self.items.len() as u64);
        self.total.is_none_or(|total| next < total)
    }
}

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn the_walk_ends_at_the_total_or_an_empty_page() {
        let page = |n: usize, total| Page {
            items: vec![0; n],
            total,
        };
        assert!(page(20, Some(45)).has_next(0));
        assert!(page(20, Some(45)).has_next(20));
        assert!(!page(5, Some(45)).has_next(40));
        assert!(
            !page(0, Some(45)).has_next(40),
            "an empty page ends the walk"
        );
        assert!(
            page(3, None).has_next(0),
            "without a total only an empty page ends it"
        );
        assert!(!page(0, None).has_next(0));
        assert!(!page(2, Some(2)).has_next(0));
    }
}

//! The paging and ordering members the List actions share: `Offset`, `Limit` and `Order`.

use scf_model::{ErrorCode, Order};

use crate::failure::Failure;

/// The page size when a request names none (or 0).
const DEFAULT_LIMIT: i64 = 20;
/// The largest page a request may ask for.
const MAX_LIMIT: i64 = 100;

/// The rows of a page: `offset` skipped, then at most `limit` (20 when absent or 0, at most 100).
/// `limit_rule` is the range a refused `Limit` is told, as each action's documentation words it.
pub(crate) fn page(
    offset: Option<i64>,
    limit: Option<i64>,
    limit_rule: &str,
) -> Result<(usize, usize), Failure> {
    let limit = match limit {
        None | Some(0) => DEFAULT_LIMIT,
        Some(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
        Some(_) => {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueLimit,
                "Limit",
                limit_rule,
            ));
        }
    };
    let offset = usize::try_from(offset.unwrap_or(0)).map_err(|_| {
        Failure::invalid_value(
            ErrorCode::InvalidParameterValueOffset,
            "Offset",
            "0 or more",
        )
    })?;
    Ok((offset, limit as usize))
}

/// [`page`] for the actions whose `Offset` and `Limit` are unsigned; values past `i64::MAX` count as it.
pub(crate) fn unsigned_page(
    offset: Option<u64>,
    limit: Option<u64>,
    limit_rule: &str,
) -> Result<(usize, usize), Failure> {
    let signed = |value: Option<u64>| value.map(|v| i64::try_from(v).unwrap_or(i64::MAX));
    page(signed(offset), signed(limit), limit_rule)
}

/// Whether `order` asks for descending order, `default_descending` when it is absent.
pub(crate) fn descending(order: Option<&Order>, default_descending: bool) -> Result<bool, Failure> {
    match order {
        None => Ok(default_descending),
        Some(Order::Ascending) => Ok(false),
        Some(Order::Descending) => Ok(true),
        Some(_) => Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueOrder,
            "Order",
            "use ASC or DESC",
        )),
    }
}

/// Whether an `OrderBy` of `AddTime` (the default) or `ModTime` asks for the time of the last change.
pub(crate) fn by_mod_time(order_by: Option<&str>) -> Result<bool, Failure> {
    match order_by {
        None | Some("") | Some("AddTime") => Ok(false),
        Some("ModTime") => Ok(true),
        Some(_) => Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueOrderBy,
            "OrderBy",
            "use AddTime or ModTime",
        )),
    }
}

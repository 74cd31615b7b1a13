//! The async-event actions: status, listing and termination of the events an async Invoke starts.
//!
//! An event's status is computed when observed rather than changed by timers, so an injected clock moves
//! every event at once and nothing runs in the background: an event runs until `ends` (its natural end, or
//! the moment a TerminateAsyncEvent takes effect if that comes first), then it is finished, failed or
//! aborted. New events answer as if absent for the visibility delay; ended events are kept for the
//! retention (72 h), and an indexed delete drops the expired ones whenever an event is added.
//!
//! Every list is an indexed query: pages come from the `(function, started)` or `(function, ends)` index
//! in order. Each event also stores its status (`RUNNING` when added), and triggers keep a count per
//! function and stored status, so two `TotalCount`s need no COUNT: the unfiltered one (the function's
//! counts summed) and one filtered by `Status` alone (the counts of those statuses). Both subtract the few
//! events that are not yet visible or expired but not yet swept, which are short index ranges.
//! Every other filter counts the matching rows.
//!
//! A stored status is a cache that lags the clock: an event that has ended still says `RUNNING` until a
//! ListAsyncEvents filtered by `Status` settles its function, writing the final status of each event that
//! ended by then (found through a partial index of the `RUNNING` ones). Every answer still computes the
//! status from the clock; only those counts and pages read the stored one, after settling. The clock may
//! move back (an injected clock set earlier, the clock offset, a state directory reopened under another
//! clock), which would make a settled event running again: each function remembers the latest end it
//! settled, and while the clock is before it that function's Status filter counts rows instead. A
//! TerminateAsyncEvent, which only ever cuts a running event short, marks it `RUNNING` again. A store that
//! refuses writes (a read-only or full disk) cannot settle, so it counts rows too.
//!
//! With `Orderby=EndTime`, running events (no end yet) sort after every ended one, among themselves by
//! when they will end (inferred; the service does not say).

use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use scf_model::{
    AsyncEvent, AsyncEventStatus, ErrorCode, EventStatus, GetAsyncEventStatusRequest,
    GetAsyncEventStatusResponse, ListAsyncEventsRequest, ListAsyncEventsResponse, Order,
    TerminateAsyncEventRequest, TerminateAsyncEventResponse, TimeInterval,
};

use super::{Backend, Call, body, functions, invocations, namespace_or_default, versions};
use crate::config::Outcome;
use crate::failure::Failure;
use crate::time_format::{event_time, parse_interval_time};

/// The tables of this module as version 1 of the schema made them; [`STORED_STATUS`] changes them.
pub(crate) const SCHEMA: &str = "
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    function INTEGER NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    -- The qualifier the Invoke named, and the version it resolved to.
    qualifier TEXT NOT NULL,
    version TEXT NOT NULL,
    invoke_type TEXT NOT NULL,
    started INTEGER NOT NULL,
    visible_from INTEGER NOT NULL,
    natural_end INTEGER NOT NULL,
    -- 1 when the natural end is a failure with failure_status_code.
    failed INTEGER NOT NULL,
    failure_status_code INTEGER NOT NULL,
    grace_shutdown_ms INTEGER NOT NULL,
    aborted_at INTEGER,
    -- When the event stops running: the natural end, or an earlier abort.
    ends INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX events_by_start ON events (function, started, id);
CREATE INDEX events_by_end ON events (function, ends, id);
CREATE INDEX events_by_visibility ON events (function, visible_from);
CREATE INDEX events_by_expiry ON events (ends);
-- How many events each function holds, so an unfiltered TotalCount needs no COUNT.
CREATE TABLE event_counts (
    function INTEGER PRIMARY KEY REFERENCES functions (id) ON DELETE CASCADE,
    held INTEGER NOT NULL
);
CREATE TRIGGER events_counted AFTER INSERT ON events BEGIN
    INSERT INTO event_counts (function, held) VALUES (NEW.function, 1)
        ON CONFLICT (function) DO UPDATE SET held = held + 1;
END;
CREATE TRIGGER events_uncounted AFTER DELETE ON events BEGIN
    UPDATE event_counts SET held = held - 1 WHERE function = OLD.function;
END;
";

/// Version 2 of the schema: each event's stored status, the counts per function and status that replace
/// version 1's per-function counts, the partial index of events not yet settled, and the latest end each
/// function settled. Events of version 1 start as `RUNNING` and are settled when listed.
pub(crate) const STORED_STATUS: &str = "
ALTER TABLE events ADD COLUMN status TEXT NOT NULL DEFAULT 'RUNNING'
    CHECK (status IN ('RUNNING', 'FINISHED', 'FAILED', 'ABORTED'));
CREATE TABLE event_status_counts (
    function INTEGER NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    held INTEGER NOT NULL,
    PRIMARY KEY (function, status)
) WITHOUT ROWID;
INSERT INTO event_status_counts (function, status, held)
    SELECT function, status, count(*) FROM events GROUP BY function, status;
DROP TRIGGER events_counted;
DROP TRIGGER events_uncounted;
DROP TABLE event_counts;
CREATE TRIGGER events_counted AFTER INSERT ON events BEGIN
    INSERT INTO event_status_counts (function, status, held) VALUES (NEW.function, NEW.status, 1)
        ON CONFLICT (function, status) DO UPDATE SET held = held + 1;
END;
CREATE TRIGGER events_uncounted AFTER DELETE ON events BEGIN
    UPDATE event_status_counts SET held = held - 1
        WHERE function = OLD.function AND status = OLD.status;
END;
CREATE TRIGGER events_recounted AFTER UPDATE OF status ON events
    WHEN OLD.status <> NEW.status BEGIN
    UPDATE event_status_counts SET held = held - 1
        WHERE function = OLD.function AND status = OLD.status;
    INSERT INTO event_status_counts (function, status, held) VALUES (NEW.function, NEW.status, 1)
        ON CONFLICT (function, status) DO UPDATE SET held = held + 1;
END;
-- The events whose stored status may lag the clock: only these need settling.
CREATE INDEX events_unsettled ON events (function, ends) WHERE status = 'RUNNING';
-- The latest end settled per function: before it, a settled event may be running again.
CREATE TABLE event_settling (
    function INTEGER PRIMARY KEY REFERENCES functions (id) ON DELETE CASCADE,
    settled_to INTEGER NOT NULL
);
";

/// The function status code of an event terminated by TerminateAsyncEvent: the user process exited.
pub(crate) const ABORTED_STATUS_CODE: i64 = 439;
/// The most events one ListAsyncEvents page holds (documented).
const MAX_LIMIT: i64 = 100;

/// The columns [`Event::from_row`] reads, in order.
const COLUMNS: &str = "id, qualifier, version, invoke_type, started, visible_from, natural_end, failed, \
    failure_status_code, grace_shutdown_ms, aborted_at";

/// How an ended event ended, in SQL, as [`Run::view`] decides it: a macro, so the statements that need
/// it are still constants.
macro_rules! final_status {
    () => {
        "CASE WHEN aborted_at IS NOT NULL AND aborted_at < natural_end THEN 'ABORTED' \
         WHEN failed THEN 'FAILED' ELSE 'FINISHED' END"
    };
}

/// Which status an event shows at `?1`, the instant of the query, in SQL, as [`Run::view`] computes it.
const STATUS_AT_NOW: &str = concat!(
    "CASE WHEN ends > ?1 THEN 'RUNNING' ELSE ",
    final_status!(),
    " END"
);

/// Whether function `?1` has events whose stored status lags `?2`, and whether `?2` is before the latest
/// end it settled: two probes of one row each.
const SETTLING_STATE: &str = "SELECT \
    EXISTS (SELECT 1 FROM events INDEXED BY events_unsettled \
        WHERE function = ?1 AND status = 'RUNNING' AND ends <= ?2), \
    coalesce((SELECT settled_to FROM event_settling WHERE function = ?1), 0) > ?2";

/// The latest end among function `?1`'s events that ended by `?2` but still say `RUNNING`.
const LATEST_UNSETTLED_END: &str = "SELECT max(ends) FROM events INDEXED BY events_unsettled \
    WHERE function = ?1 AND status = 'RUNNING' AND ends <= ?2";

/// Writes the final status of function `?1`'s events that ended by `?2` and still say `RUNNING`.
const SETTLE: &str = concat!(
    "UPDATE events INDEXED BY events_unsettled SET status = ",
    final_status!(),
    " WHERE function = ?1 AND status = 'RUNNING' AND ends <= ?2"
);

/// Remembers `?2` as the latest end function `?1` settled, unless a later one is remembered.
const SETTLED_TO: &str = "INSERT INTO event_settling (function, settled_to) VALUES (?1, ?2) \
    ON CONFLICT (function) DO UPDATE SET settled_to = max(settled_to, excluded.settled_to)";

/// How one invocation runs: when it starts and ends, how it ends, and whether it was cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    pub(crate) started: u64,
    /// When the function returns on its own.
    pub(crate) natural_end: u64,
    pub(crate) outcome: Outcome,
    pub(crate) failure_status_code: i64,
    /// When a TerminateAsyncEvent takes effect: at once, or after the grace period of a SIGTERM.
    pub(crate) aborted_at: Option<u64>,
}

/// A run as seen at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct View {
    pub(crate) status: EventStatus,
    pub(crate) status_code: i64,
    pub(crate) ended: Option<u64>,
}

impl Run {
    /// When the run stops: its natural end, or an abort that comes first.
    pub(crate) fn ends(&self) -> u64 {
        self.aborted_at
            .filter(|&at| at < self.natural_end)
            .unwrap_or(self.natural_end)
    }

    pub(crate) fn view(&self, now: u64) -> View {
        let ends = self.ends();
        if now < ends {
            return View {
                status: EventStatus::Running,
                status_code: 0,
                ended: None,
            };
        }
        let (status, status_code) = if ends < self.natural_end {
            (EventStatus::Aborted, ABORTED_STATUS_CODE)
        } else {
            match self.outcome {
                Outcome::Finished => (EventStatus::Finished, 200),
                Outcome::Failed => (EventStatus::Failed, self.failure_status_code),
            }
        };
        View {
            status,
            status_code,
            ended: Some(ends),
        }
    }
}

/// One async invocation, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    pub(crate) id: String,
    pub(crate) qualifier: String,
    pub(crate) version: String,
    pub(crate) invoke_type: String,
    /// Before this instant the event answers as if it did not exist, as new events do on the real service.
    pub(crate) visible_from: u64,
    pub(crate) grace_shutdown_ms: u64,
    pub(crate) run: Run,
}

impl Event {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let millis = |index: usize| row.get::<_, i64>(index).map(|v| v as u64);
        Ok(Self {
            id: row.get(0)?,
            qualifier: row.get(1)?,
            version: row.get(2)?,
            invoke_type: row.get(3)?,
            visible_from: millis(5)?,
            grace_shutdown_ms: millis(9)?,
            run: Run {
                started: millis(4)?,
                natural_end: millis(6)?,
                outcome: if row.get::<_, bool>(7)? {
                    Outcome::Failed
                } else {
                    Outcome::Finished
                },
                failure_status_code: row.get(8)?,
                aborted_at: row.get::<_, Option<i64>>(10)?.map(|v| v as u64),
            },
        })
    }
}

/// The first instant at which an event that ended at `ends` is still kept: anything that ended at or
/// before the cutoff has expired.
fn cutoff(now: u64, retention_ms: u64) -> i64 {
    now as i64 - retention_ms.min(i64::MAX as u64) as i64
}

/// Drops the events whose retention has passed: one range of the `ends` index.
const SWEEP: &str = "DELETE FROM events WHERE ends <= ?1";

/// Drops the events whose retention has passed.
pub(crate) fn sweep(connection: &Connection, now: u64, retention_ms: u64) -> Result<(), Failure> {
    connection
        .prepare_cached(SWEEP)?
        .execute([cutoff(now, retention_ms)])?;
    Ok(())
}

/// Stores a new event of the function with row id `function`, sweeping expired ones first so the table
/// stays flat under load.
pub(crate) fn insert(
    connection: &Connection,
    function: i64,
    event: &Event,
    now: u64,
    retention_ms: u64,
) -> Result<(), Failure> {
    sweep(connection, now, retention_ms)?;
    let run = &event.run;
    connection
        .prepare_cached(&format!(
            "INSERT INTO events (function, {COLUMNS}, ends) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        ))?
        .execute(params![
            function,
            event.id,
            event.qualifier,
            event.version,
            event.invoke_type,
            run.started as i64,
            event.visible_from as i64,
            run.natural_end as i64,
            run.outcome == Outcome::Failed,
            run.failure_status_code,
            event.grace_shutdown_ms as i64,
            run.aborted_at.map(|at| at as i64),
            run.ends() as i64,
        ])?;
    Ok(())
}

/// How many events the store holds, expired ones not yet swept included.
pub(crate) fn held(connection: &Connection) -> Result<u64, Failure> {
    let held: i64 = connection
        .prepare_cached("SELECT coalesce(sum(held), 0) FROM event_status_counts")?
        .query_row([], |row| row.get(0))?;
    Ok(held.max(0) as u64)
}

/// The event `id` if a caller at `now` can see it: visible, and within its retention.
fn find(
    connection: &Connection,
    id: &str,
    now: u64,
    retention_ms: u64,
) -> Result<Option<(i64, Event)>, Failure> {
    // Built once: the statement cache is keyed by the text, which need not be formatted per call.
    static FIND: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT {COLUMNS}, function FROM events WHERE id = ?1 AND visible_from <= ?2 AND ends > ?3"
        )
    });
    let found = connection
        .prepare_cached(&FIND)?
        .query_row(params![id, now as i64, cutoff(now, retention_ms)], |row| {
            Ok((row.get::<_, i64>(11)?, Event::from_row(row)?))
        })
        .optional()?;
    Ok(found)
}

pub(super) fn get_async_event_status(
    backend: &Backend,
    request: &GetAsyncEventStatusRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    // Only the run's columns: the status needs no text, and the id found is the id asked for.
    const RUN: &str = "SELECT started, natural_end, failed, failure_status_code, aborted_at \
        FROM events WHERE id = ?1 AND visible_from <= ?2 AND ends > ?3";
    let id = request.invoke_request_id.as_str();
    let now = call.now;
    let run = backend
        .db
        .read(|c| {
            let run = c
                .prepare_cached(RUN)?
                .query_row(
                    params![id, now as i64, cutoff(now, backend.retention_ms())],
                    |row| {
                        let millis = |index: usize| row.get::<_, i64>(index).map(|v| v as u64);
                        Ok(Run {
                            started: millis(0)?,
                            natural_end: millis(1)?,
                            outcome: if row.get::<_, bool>(2)? {
                                Outcome::Failed
                            } else {
                                Outcome::Finished
                            },
                            failure_status_code: row.get(3)?,
                            aborted_at: row.get::<_, Option<i64>>(4)?.map(|v| v as u64),
                        })
                    },
                )
                .optional()?;
            Ok(run)
        })?
        .ok_or_else(|| event_not_found(id))?;
    let view = run.view(now);
    Ok(body(
        GetAsyncEventStatusResponse::default()
            .result(
                AsyncEventStatus::default()
                    .status(view.status)
                    .status_code(view.status_code)
                    .invoke_request_id(id),
            )
            .request_id(call.request_id),
    ))
}

/// A ListAsyncEvents query, checked.
struct Query<'r> {
    offset: i64,
    limit: i64,
    descending: bool,
    by_end: bool,
    qualifier: Option<&'r str>,
    id: Option<&'r str>,
    invoke_types: Option<&'r [String]>,
    statuses: Option<&'r [EventStatus]>,
    started_in: Option<(u64, u64)>,
    ended_in: Option<(u64, u64)>,
}

impl<'r> Query<'r> {
    fn of(request: &'r ListAsyncEventsRequest) -> Result<Self, Failure> {
        let limit = request.limit.unwrap_or(20);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueLimit,
                "Limit",
                "from 1 to 100",
            ));
        }
        let offset = request.offset.unwrap_or(0);
        if offset < 0 {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValue,
                "Offset",
                "0 or more",
            ));
        }
        // Values outside ASC and DESC, and unknown statuses, were refused by the schema's known values
        // (`InvalidParameterValue.Order`, `.Status`) before the request was read.
        let by_end = match request.orderby.as_deref() {
            None | Some("StartTime") => false,
            Some("EndTime") => true,
            Some(_) => {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValue,
                    "Orderby",
                    "use StartTime or EndTime",
                ));
            }
        };
        Ok(Self {
            offset,
            limit,
            descending: request.order != Some(Order::Ascending),
            by_end,
            qualifier: request.qualifier.as_deref().filter(|q| !q.is_empty()),
            id: request.invoke_request_id.as_deref(),
            invoke_types: request.invoke_type.as_deref(),
            statuses: request.status.as_deref(),
            started_in: interval(request.start_time_interval.as_ref(), "StartTimeInterval")?,
            ended_in: interval(request.end_time_interval.as_ref(), "EndTimeInterval")?,
        })
    }

    fn filtered(&self) -> bool {
        self.statuses.is_some() || self.filtered_besides_status()
    }

    fn filtered_besides_status(&self) -> bool {
        self.qualifier.is_some()
            || self.id.is_some()
            || self.invoke_types.is_some()
            || self.started_in.is_some()
            || self.ended_in.is_some()
    }

    /// The statuses asked for, if nothing else filters the list.
    fn statuses_only(&self) -> Option<&'r [EventStatus]> {
        self.statuses.filter(|_| !self.filtered_besides_status())
    }

    /// The `WHERE` clause and its parameters, numbered: `?1` is the instant of the query. Statuses match
    /// the stored one when `counting` says it is exact, else the one computed at `?1`.
    fn condition(
        &self,
        function: i64,
        now: u64,
        retention_ms: u64,
        counting: Counting,
    ) -> (String, Vec<Value>) {
        let mut values = vec![Value::Integer(now as i64)];
        // `+?n`, not a bare `?n`: SQLite's planner reads the values of bare parameters in a page's
        // WHERE and LIMIT, so each new binding would prepare the cached statement again.
        let mut bind = |value: Value| {
            values.push(value);
            format!("+?{}", values.len())
        };
        let mut sql = format!(
            "function = {} AND visible_from <= +?1 AND ends > {}",
            bind(Value::Integer(function)),
            bind(Value::Integer(cutoff(now, retention_ms)))
        );
        let list = |column: &str, items: Vec<Value>, bind: &mut dyn FnMut(Value) -> String| {
            let slots: Vec<String> = items.into_iter().map(&mut *bind).collect();
            format!(" AND {column} IN ({})", slots.join(", "))
        };
        if let Some(types) = self.invoke_types {
            let items = types.iter().map(|t| Value::Text(t.clone())).collect();
            sql.push_str(&list("invoke_type", items, &mut bind));
        }
        if let Some(statuses) = self.statuses {
            let items = statuses
                .iter()
                .map(|s| Value::Text(s.as_str().to_owned()))
                .collect();
            let status = if counting == Counting::Stored {
                "status"
            } else {
                STATUS_AT_NOW
            };
            sql.push_str(&list(status, items, &mut bind));
        }
        if let Some(qualifier) = self.qualifier {
            // Events run through an alias match the alias and the version it routed them to.
            let slot = bind(Value::Text(qualifier.to_owned()));
            sql.push_str(&format!(" AND (qualifier = {slot} OR version = {slot})"));
        }
        if let Some(id) = self.id {
            sql.push_str(&format!(" AND id = {}", bind(Value::Text(id.to_owned()))));
        }
        if let Some((from, to)) = self.started_in {
            sql.push_str(&format!(
                " AND started >= {} AND started < {}",
                bind(Value::Integer(from as i64)),
                bind(Value::Integer(to as i64))
            ));
        }
        if let Some((from, to)) = self.ended_in {
            sql.push_str(&format!(
                " AND ends <= +?1 AND ends >= {} AND ends < {}",
                bind(Value::Integer(from as i64)),
                bind(Value::Integer(to as i64))
            ));
        }
        (sql, values)
    }

    /// The page's statement: the index of the order, walked in order, filtered, `LIMIT`ed. The limit and
    /// the offset take the two parameters after the condition's `slots`.
    fn page_sql(&self, condition: &str, slots: usize) -> String {
        let (index, column) = if self.by_end {
            ("events_by_end", "ends")
        } else {
            ("events_by_start", "started")
        };
        // One id is one row at most: its primary key finds it, whatever the order.
        let indexed = if self.id.is_some() {
            String::new()
        } else {
            format!(" INDEXED BY {index}")
        };
        let direction = if self.descending { "DESC" } else { "ASC" };
        format!(
            "SELECT {COLUMNS} FROM events{indexed} WHERE {condition} \
             ORDER BY {column} {direction}, id {direction} LIMIT +?{limit} OFFSET +?{offset}",
            limit = slots + 1,
            offset = slots + 2
        )
    }
}

/// How a page finds its `TotalCount` and which status its filter matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counting {
    /// No filter: the function's kept counts, summed.
    Kept,
    /// A `Status` filter alone, on statuses settled up to now: the kept counts of those statuses.
    Stored,
    /// Any other filter, or a clock before what was settled: a COUNT of the matching rows, statuses
    /// computed at now.
    Counted,
}

/// How a page of function `function` is counted at `now`, or `None` when the function's events must be
/// settled first.
fn counting(
    connection: &Connection,
    function: i64,
    query: &Query<'_>,
    now: u64,
) -> Result<Option<Counting>, Failure> {
    if !query.filtered() {
        return Ok(Some(Counting::Kept));
    }
    if query.statuses_only().is_none() {
        return Ok(Some(Counting::Counted));
    }
    let (unsettled, rewound): (bool, bool) = connection
        .prepare_cached(SETTLING_STATE)?
        .query_row(params![function, now as i64], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    Ok(if rewound {
        Some(Counting::Counted)
    } else if unsettled {
        None
    } else {
        Some(Counting::Stored)
    })
}

/// Writes the final status of function `function`'s events that ended by `now` but still say `RUNNING`,
/// and remembers the latest of their ends.
fn settle(connection: &Connection, function: i64, now: u64) -> Result<(), Failure> {
    let latest: Option<i64> = connection
        .prepare_cached(LATEST_UNSETTLED_END)?
        .query_row(params![function, now as i64], |row| row.get(0))?;
    let Some(latest) = latest else {
        return Ok(());
    };
    connection
        .prepare_cached(SETTLE)?
        .execute(params![function, now as i64])?;
    connection
        .prepare_cached(SETTLED_TO)?
        .execute(params![function, latest])?;
    Ok(())
}

/// The events a caller at `now` sees for one function, as a page and the total it comes from.
fn list(
    connection: &Connection,
    function: i64,
    query: &Query<'_>,
    counting: Counting,
    now: u64,
    retention_ms: u64,
) -> Result<(i64, Vec<Event>), Failure> {
    let (condition, values) = query.condition(function, now, retention_ms, counting);
    let total = match counting {
        Counting::Kept => kept_count(connection, function, None, now, retention_ms)?,
        Counting::Stored => kept_count(connection, function, query.statuses, now, retention_ms)?,
        Counting::Counted => connection
            .prepare_cached(&format!("SELECT count(*) FROM events WHERE {condition}"))?
            .query_row(params_from_iter(&values), |row| row.get(0))?,
    };
    // The total is exact, so a page past it is empty without walking the index to its end.
    if query.offset >= total {
        return Ok((total, Vec::new()));
    }
    let mut values = values;
    let slots = values.len();
    values.push(Value::Integer(query.limit));
    values.push(Value::Integer(query.offset));
    let events = connection
        .prepare_cached(&query.page_sql(&condition, slots))?
        .query_map(params_from_iter(&values), Event::from_row)?
        .collect::<Result<_, _>>()?;
    Ok((total, events))
}

/// What function `?2` holds at `?1` (with a stored status among the `statuses` parameters from `?4` on,
/// if given), less its events not yet visible and those expired (ended at or before `?3`) but not yet
/// swept: the count rows and two short index ranges.
fn kept_count_sql(statuses: Option<usize>) -> String {
    let among = statuses.map_or_else(String::new, |statuses| {
        let slots: Vec<String> = (4..4 + statuses).map(|n| format!("?{n}")).collect();
        format!(" AND status IN ({})", slots.join(", "))
    });
    format!(
        "SELECT coalesce((SELECT sum(held) FROM event_status_counts WHERE function = ?2{among}), 0) \
         - (SELECT count(*) FROM events INDEXED BY events_by_end \
            WHERE function = ?2 AND ends <= ?3{among}) \
         - (SELECT count(*) FROM events INDEXED BY events_by_visibility \
            WHERE function = ?2 AND visible_from > ?1 AND ends > ?3{among})"
    )
}

/// The kept count of function `function`'s events at `now`: all of them, or those whose stored status is
/// among `statuses` if given.
fn kept_count(
    connection: &Connection,
    function: i64,
    statuses: Option<&[EventStatus]>,
    now: u64,
    retention_ms: u64,
) -> Result<i64, Failure> {
    let mut values = vec![
        Value::Integer(now as i64),
        Value::Integer(function),
        Value::Integer(cutoff(now, retention_ms)),
    ];
    let asked = statuses.unwrap_or_default();
    values.extend(asked.iter().map(|s| Value::Text(s.as_str().to_owned())));
    let count = connection
        .prepare_cached(&kept_count_sql(statuses.map(<[_]>::len)))?
        .query_row(params_from_iter(&values), |row| row.get(0))?;
    Ok(count)
}

/// The function a ListAsyncEvents names, checking the qualifier it filters on: its row id.
fn listed_function(
    connection: &Connection,
    request: &ListAsyncEventsRequest,
    query: &Query<'_>,
) -> Result<i64, Failure> {
    let namespace = namespace_or_default(request.namespace.as_deref());
    let function = functions::find(connection, namespace, &request.function_name)?;
    if let Some(qualifier) = query.qualifier {
        versions::resolve(connection, &function, Some(qualifier)).map_err(|_| {
            Failure::new(
                ErrorCode::ResourceNotFoundVersion,
                format!(
                    "Version or alias `{qualifier}` of function `{}` does not exist.",
                    function.name
                ),
            )
        })?;
    }
    Ok(function.id)
}

pub(super) fn list_async_events(
    backend: &Backend,
    request: &ListAsyncEventsRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let query = Query::of(request)?;
    let (now, retention_ms) = (call.now, backend.retention_ms());
    let read = backend.db.read(|c| {
        let function = listed_function(c, request, &query)?;
        match counting(c, function, &query, now)? {
            Some(counting) => list(c, function, &query, counting, now, retention_ms).map(Some),
            None => Ok(None),
        }
    })?;
    let (total_count, events) = match read {
        Some(listed) => listed,
        None => {
            let settled = backend.db.write(|tx| {
                let function = listed_function(tx, request, &query)?;
                // Another request may have settled or moved the clock since the read: ask again.
                let counting = match counting(tx, function, &query, now)? {
                    Some(counting) => counting,
                    None => {
                        settle(tx, function, now)?;
                        Counting::Stored
                    }
                };
                list(tx, function, &query, counting, now, retention_ms)
            });
            match settled {
                Ok(listed) => listed,
                // A store that refuses writes still lists, by counting rows.
                Err(_) => backend.db.read(|c| {
                    let function = listed_function(c, request, &query)?;
                    list(c, function, &query, Counting::Counted, now, retention_ms)
                })?,
            }
        }
    };
    let event_list: Vec<AsyncEvent> = events
        .into_iter()
        .map(|event| {
            let view = event.run.view(call.now);
            AsyncEvent::default()
                .invoke_request_id(event.id)
                .invoke_type(event.invoke_type)
                .qualifier(event.qualifier)
                .status(view.status)
                .start_time(event_time(event.run.started))
                .end_time(view.ended.map(event_time).unwrap_or_default())
        })
        .collect();
    Ok(body(
        ListAsyncEventsResponse::default()
            .event_list(event_list)
            .total_count(total_count.max(0))
            .request_id(call.request_id),
    ))
}

pub(super) fn terminate_async_event(
    backend: &Backend,
    request: &TerminateAsyncEventRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let namespace = namespace_or_default(request.namespace.as_deref());
    let id = request.invoke_request_id.as_str();
    let grace = request.grace_shutdown.unwrap_or(false);
    backend.db.write(|tx| {
        let function = functions::find(tx, namespace, &request.function_name)?;
        let (_, mut event) = find(tx, id, call.now, backend.retention_ms())?
            .filter(|(owner, _)| *owner == function.id)
            .ok_or_else(|| event_not_found(id))?;
        if event.run.view(call.now).status != EventStatus::Running || event.run.aborted_at.is_some()
        {
            return Err(Failure::new(
                ErrorCode::FailedOperationAsyncEventStatus,
                format!("Async event `{id}` is not running, so it cannot be terminated."),
            ));
        }
        // Code that runs is stopped, and its instance reports when it has ended.
        let grace_period = grace.then(|| Duration::from_millis(event.grace_shutdown_ms));
        if backend
            .runner
            .as_ref()
            .is_some_and(|runner| runner.terminate(id, grace_period))
        {
            return Ok(());
        }
        let at = if grace {
            call.now + event.grace_shutdown_ms
        } else {
            call.now
        };
        event.run.aborted_at = Some(at);
        // Only a running event is cut short; one settled before the clock moved back runs again.
        tx.prepare_cached(
            "UPDATE events SET aborted_at = ?2, ends = ?3, status = 'RUNNING' WHERE id = ?1",
        )?
        .execute(params![id, at as i64, event.run.ends() as i64])?;
        invocations::aborted(tx, id, at)?;
        sweep(tx, call.now, backend.retention_ms())
    })?;
    Ok(body(
        TerminateAsyncEventResponse::default().request_id(call.request_id),
    ))
}

/// Whether event `id` was terminated (TerminateAsyncEvent recorded it).
pub(crate) fn aborted(connection: &Connection, id: &str) -> Result<bool, Failure> {
    let aborted: Option<bool> = connection
        .prepare_cached("SELECT aborted_at IS NOT NULL FROM events WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?;
    Ok(aborted.unwrap_or(false))
}

/// Records how the code of event `id` ended at `end`: cut short by a termination, or on its own.
pub(crate) fn complete(
    connection: &Connection,
    id: &str,
    end: u64,
    terminated: bool,
    failed: bool,
    status_code: i64,
) -> Result<(), Failure> {
    let end = end as i64;
    if terminated {
        connection
            .prepare_cached(
                "UPDATE events SET aborted_at = min(coalesce(aborted_at, ?2), ?2), \
                 ends = min(coalesce(aborted_at, ?2), ?2) WHERE id = ?1",
            )?
            .execute(params![id, end])?;
    } else {
        connection
            .prepare_cached(
                "UPDATE events SET natural_end = ?2, failed = ?3, failure_status_code = ?4, \
                 ends = min(coalesce(aborted_at, ?2), ?2) WHERE id = ?1",
            )?
            .execute(params![id, end, failed, status_code])?;
    }
    Ok(())
}

fn event_not_found(id: &str) -> Failure {
    Failure::new(
        ErrorCode::ResourceNotFoundAsyncEvent,
        format!("The specified AsyncEvent `{id}` was not found."),
    )
}

fn interval(interval: Option<&TimeInterval>, name: &str) -> Result<Option<(u64, u64)>, Failure> {
    let Some(interval) = interval else {
        return Ok(None);
    };
    match (
        parse_interval_time(&interval.start),
        parse_interval_time(&interval.end),
    ) {
        (Some(start), Some(end)) => Ok(Some((start, end))),
        _ => Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValue,
            name,
            "Start and End are `YYYY-MM-DD HH:MM:SS`",
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::db::Db;

    fn run(outcome: Outcome) -> Run {
        Run {
            started: 1_000,
            natural_end: 3_000,
            outcome,
            failure_status_code: 430,
            aborted_at: None,
        }
    }

    #[test]
    fn status_follows_the_clock() {
        let finished = run(Outcome::Finished);
        assert_eq!(finished.view(2_999).status, EventStatus::Running);
        assert_eq!(finished.view(2_999).status_code, 0);
        let done = finished.view(3_000);
        assert_eq!(
            (done.status, done.status_code, done.ended),
            (EventStatus::Finished, 200, Some(3_000))
        );
        let failed = run(Outcome::Failed).view(5_000);
        assert_eq!(
            (failed.status, failed.status_code),
            (EventStatus::Failed, 430)
        );
    }

    #[test]
    fn termination_before_the_natural_end_aborts() {
        let mut aborted = run(Outcome::Finished);
        aborted.aborted_at = Some(2_500);
        assert_eq!(aborted.view(2_400).status, EventStatus::Running);
        let view = aborted.view(2_500);
        assert_eq!(
            (view.status, view.status_code, view.ended),
            (EventStatus::Aborted, 439, Some(2_500))
        );
        // A grace period that outlasts the function lets it finish normally.
        aborted.aborted_at = Some(3_500);
        assert_eq!(aborted.view(4_000).status, EventStatus::Finished);
    }

    /// A store with one function (row id 1) holding `count` events a millisecond apart.
    fn store_with(count: u64) -> Db {
        let db = Db::open(None).unwrap();
        db.write(|tx| {
            tx.execute_batch(
                "INSERT INTO namespaces (name, description, created, modified) VALUES ('ns', '', 0, 0);
                 INSERT INTO functions (id, namespace, name, function_id, created, modified, status, deployment)
                 VALUES (1, 'ns', 'f', 'lam-1', 0, 0, 'Active', '{}');",
            )?;
            for n in 0..count {
                let event = Event {
                    id: format!("e{n:06}"),
                    qualifier: "$LATEST".into(),
                    version: "$LATEST".into(),
                    invoke_type: "OTHER".into(),
                    visible_from: n,
                    grace_shutdown_ms: 0,
                    run: Run {
                        started: n,
                        natural_end: n + 10,
                        outcome: Outcome::Finished,
                        failure_status_code: 0,
                        aborted_at: None,
                    },
                };
                insert(tx, 1, &event, 0, 1_000)?;
            }
            Ok(())
        })
        .unwrap();
        db
    }

    /// What `EXPLAIN QUERY PLAN` says of `sql`, parameters left unbound.
    fn plan(db: &Db, sql: &str) -> String {
        db.read(|c| {
            let mut statement = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            let mut rows = statement.raw_query();
            let mut details = Vec::new();
            while let Some(row) = rows.next()? {
                details.push(row.get::<_, String>(3)?);
            }
            Ok(details.join("\n"))
        })
        .unwrap()
    }

    #[test]
    fn pages_walk_an_index_in_order_without_sorting() {
        let db = store_with(0);
        let statuses = [EventStatus::Running];
        for by_end in [false, true] {
            for descending in [false, true] {
                for filtered in [false, true] {
                    let query = Query {
                        descending,
                        by_end,
                        qualifier: filtered.then_some("1"),
                        statuses: filtered.then_some(&statuses[..]),
                        started_in: filtered.then_some((0, 10)),
                        ..unfiltered(20)
                    };
                    for counting in [Counting::Counted, Counting::Stored] {
                        let (condition, values) = query.condition(1, 0, 0, counting);
                        let sql = query.page_sql(&condition, values.len());
                        let plan = plan(&db, &sql);
                        assert!(plan.contains("USING INDEX events_by_"), "{sql}: {plan}");
                        assert!(!plan.contains("TEMP B-TREE"), "{sql}: {plan}");
                    }
                }
            }
        }
        // The unfiltered count and those by status: count rows and two short ranges, no scan.
        for statuses in [None, Some(1), Some(4)] {
            let counted = plan(&db, &kept_count_sql(statuses));
            assert!(!counted.contains("SCAN event"), "{counted}");
            let by_key = if statuses.is_none() {
                "SEARCH event_status_counts USING PRIMARY KEY (function=?)"
            } else {
                "SEARCH event_status_counts USING PRIMARY KEY (function=? AND status=?)"
            };
            assert!(counted.contains(by_key), "{counted}");
            assert!(
                counted.contains("INDEX events_by_end (function=? AND ends<?)"),
                "{counted}"
            );
            assert!(
                counted.contains("INDEX events_by_visibility (function=? AND visible_from>?)"),
                "{counted}"
            );
        }
        // Settling finds the events it settles, and whether there are any, in the partial index.
        for sql in [SETTLING_STATE, LATEST_UNSETTLED_END, SETTLE] {
            let settling = plan(&db, sql);
            assert!(!settling.contains("SCAN event"), "{sql}: {settling}");
            assert!(
                settling.contains("INDEX events_unsettled (function=? AND ends<?)"),
                "{sql}: {settling}"
            );
        }
        let expired = plan(&db, SWEEP);
        assert!(expired.contains("events_by_expiry"), "{expired}");
    }

    #[test]
    fn a_cached_page_statement_is_not_prepared_again_for_another_page() {
        let db = store_with(30);
        let query = unfiltered(20);
        let (condition, values) = query.condition(1, 100, 1_000, Counting::Kept);
        let sql = query.page_sql(&condition, values.len());
        let reprepared = db
            .read(|c| {
                for (limit, offset) in [(20, 0), (7, 3), (20, 20)] {
                    let mut page = values.clone();
                    page.extend([Value::Integer(limit), Value::Integer(offset)]);
                    let mut statement = c.prepare_cached(&sql)?;
                    let rows = statement
                        .query_map(params_from_iter(&page), |_| Ok(()))?
                        .count();
                    assert_eq!(rows as i64, limit.min(30 - offset));
                }
                Ok(c.prepare_cached(&sql)?
                    .get_status(rusqlite::StatementStatus::RePrepare))
            })
            .unwrap();
        assert_eq!(reprepared, 0);
        // Nor is the count by status for other statuses or another instant.
        let sql = kept_count_sql(Some(1));
        let reprepared = db
            .read(|c| {
                for (status, now) in [(EventStatus::Running, 5), (EventStatus::Failed, 40)] {
                    kept_count(c, 1, Some(&[status]), now, 1_000)?;
                }
                Ok(c.prepare_cached(&sql)?
                    .get_status(rusqlite::StatementStatus::RePrepare))
            })
            .unwrap();
        assert_eq!(reprepared, 0);
    }

    fn unfiltered(limit: i64) -> Query<'static> {
        Query {
            offset: 0,
            limit,
            descending: true,
            by_end: false,
            qualifier: None,
            id: None,
            invoke_types: None,
            statuses: None,
            started_in: None,
            ended_in: None,
        }
    }

    #[test]
    fn the_kept_count_leaves_out_invisible_and_expired_events() {
        // Events n = 0..50 start at n, end at n + 10 and are visible from n; retention is 1 000 ms.
        let db = store_with(50);
        let listed = |now| {
            db.read(|c| list(c, 1, &unfiltered(100), Counting::Kept, now, 1_000))
                .unwrap()
        };
        let (total, page) = listed(20);
        assert_eq!((total, page.len()), (21, 21), "visible: 0..=20");
        assert_eq!(page[0].id, "e000020");
        // At 1 015 the events that ended at or before 15 (n <= 5) have expired, unswept.
        let (total, page) = listed(1_015);
        assert_eq!((total, page.len()), (44, 44));
        assert_eq!(page.last().unwrap().id, "e000006");
        let filtered = Query {
            qualifier: Some("$LATEST"),
            ..unfiltered(100)
        };
        let (count, _) = db
            .read(|c| list(c, 1, &filtered, Counting::Counted, 1_015, 1_000))
            .unwrap();
        assert_eq!(count, 44, "COUNT agrees with the kept count");
        db.write(|tx| sweep(tx, 1_015, 1_000)).unwrap();
        assert_eq!(db.read(held).unwrap(), 44);
        assert_eq!(listed(1_015).0, 44);
    }

    /// Every status, in the order of the bits of a subset's mask.
    const STATUSES: [EventStatus; 4] = [
        EventStatus::Running,
        EventStatus::Finished,
        EventStatus::Failed,
        EventStatus::Aborted,
    ];

    fn subset(mask: u8) -> Vec<EventStatus> {
        (0..4)
            .filter(|bit| mask & (1 << bit) != 0)
            .map(|bit| STATUSES[bit].clone())
            .collect()
    }

    fn call_at(now: u64) -> Call<'static> {
        Call {
            now,
            region: Some("ap-guangzhou"),
            request_id: "test",
            host: None,
        }
    }

    /// The row id of `default`'s function `hello`, which the default configuration declares.
    fn hello(backend: &Backend) -> i64 {
        backend
            .db
            .read(|c| Ok(functions::find(c, "default", "hello")?.id))
            .unwrap()
    }

    /// An event of `hello` that starts at `started` or later, with a random run: it finishes or fails,
    /// may be visible only later, and may have been terminated, with a grace that may outlast it.
    fn random_event(rng: &mut fastrand::Rng, id: String, started: u64) -> Event {
        let started = started + rng.u64(0..3_000);
        let natural_end = started + rng.u64(0..2_000);
        Event {
            id,
            qualifier: "$LATEST".into(),
            version: "$LATEST".into(),
            invoke_type: "OTHER".into(),
            visible_from: started + if rng.bool() { 0 } else { rng.u64(0..400) },
            grace_shutdown_ms: rng.u64(0..1_000),
            run: Run {
                started,
                natural_end,
                outcome: if rng.u8(0..3) == 0 {
                    Outcome::Failed
                } else {
                    Outcome::Finished
                },
                failure_status_code: 430,
                aborted_at: (rng.u8(0..4) == 0).then(|| started + rng.u64(0..2_500)),
            },
        }
    }

    /// What ListAsyncEvents answers for `hello` at `now`, filtered by `statuses`: the total and the ids.
    fn listed(backend: &Backend, statuses: &[EventStatus], now: u64) -> (i64, Vec<String>) {
        let request = ListAsyncEventsRequest::default()
            .function_name("hello")
            .status(statuses.to_vec())
            .limit(MAX_LIMIT);
        let body = list_async_events(backend, &request, &call_at(now)).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let response = &body["Response"];
        let ids = response["EventList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|event| event["InvokeRequestId"].as_str().unwrap().to_owned())
            .collect();
        (response["TotalCount"].as_i64().unwrap(), ids)
    }

    /// Every stored event with its stored status.
    fn stored(backend: &Backend) -> Vec<(Event, String)> {
        backend
            .db
            .read(|c| {
                let rows = c
                    .prepare(&format!("SELECT {COLUMNS}, status FROM events"))?
                    .query_map([], |row| Ok((Event::from_row(row)?, row.get(11)?)))?
                    .collect::<Result<_, _>>()?;
                Ok(rows)
            })
            .unwrap()
    }

    /// The brute force: what ListAsyncEvents must answer, from every stored event's run seen at `now`.
    fn expected(backend: &Backend, statuses: &[EventStatus], now: u64) -> (i64, Vec<String>) {
        let kept_from = cutoff(now, backend.retention_ms());
        let mut shown: Vec<Event> = stored(backend)
            .into_iter()
            .map(|(event, _)| event)
            .filter(|event| {
                event.visible_from <= now
                    && event.run.ends() as i64 > kept_from
                    && statuses.contains(&event.run.view(now).status)
            })
            .collect();
        shown.sort_by(|a, b| (b.run.started, &b.id).cmp(&(a.run.started, &a.id)));
        let ids = shown.iter().take(MAX_LIMIT as usize);
        (
            shown.len() as i64,
            ids.map(|event| event.id.clone()).collect(),
        )
    }

    /// The kept counts agree with a GROUP BY over the stored statuses.
    fn assert_counts_kept(backend: &Backend) {
        let (kept, grouped) = backend
            .db
            .read(|c| {
                let rows = |sql: &str| -> Result<Vec<(i64, String, i64)>, Failure> {
                    Ok(c.prepare(sql)?
                        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                        .collect::<Result<_, _>>()?)
                };
                Ok((
                    rows(
                        "SELECT function, status, held FROM event_status_counts \
                          WHERE held <> 0 ORDER BY 1, 2",
                    )?,
                    rows(
                        "SELECT function, status, count(*) FROM events GROUP BY 1, 2 ORDER BY 1, 2",
                    )?,
                ))
            })
            .unwrap();
        assert_eq!(kept, grouped);
    }

    /// Every Status filter, at `now`, answers what the brute force does.
    fn assert_every_status_filter_agrees(backend: &Backend, now: u64) {
        for mask in 0..16 {
            let statuses = subset(mask);
            assert_eq!(
                listed(backend, &statuses, now),
                expected(backend, &statuses, now),
                "{statuses:?} at {now}"
            );
        }
    }

    fn terminate(backend: &Backend, id: &str, grace: bool, now: u64) -> Result<(), ErrorCode> {
        let request = TerminateAsyncEventRequest::default()
            .function_name("hello")
            .invoke_request_id(id)
            .grace_shutdown(grace);
        terminate_async_event(backend, &request, &call_at(now))
            .map(drop)
            .map_err(|failure| failure.code)
    }

    #[test]
    fn status_counts_agree_with_counting_rows_as_the_clock_moves_either_way() {
        for seed in 1..=6 {
            let mut rng = fastrand::Rng::with_seed(seed);
            let config = crate::config::Config {
                retention_secs: 1,
                ..Default::default()
            };
            let backend = Backend::open(config, 0, None).unwrap();
            let function = hello(&backend);
            let mut added = 0;
            let mut add = |backend: &Backend, rng: &mut fastrand::Rng, count: usize, now: u64| {
                for _ in 0..count {
                    let event = random_event(rng, format!("e{added:03}"), now);
                    added += 1;
                    backend
                        .db
                        .write(|tx| insert(tx, function, &event, now, backend.retention_ms()))
                        .unwrap();
                }
            };
            add(&backend, &mut rng, 60, 0);
            let (mut latest, mut running_again) = (0, 0);
            // Forward, with expired events left unswept at 4 500 and 7 000, then back, then forward.
            for now in [0, 700, 1_500, 2_500, 3_000, 4_500, 2_000, 3_500, 7_000] {
                let rewound = now < latest;
                latest = latest.max(now);
                if now == 3_000 {
                    // New events, and a sweep of what expired.
                    add(&backend, &mut rng, 20, now);
                }
                for (event, status) in stored(&backend) {
                    let terminable = event.run.view(now).status == EventStatus::Running
                        && event.visible_from <= now
                        && event.run.aborted_at.is_none();
                    if rewound && terminable && status != "RUNNING" {
                        // Settled before the clock moved back: it runs again, and can be cut short.
                        assert_eq!(terminate(&backend, &event.id, false, now), Ok(()));
                        running_again += 1;
                    } else if rng.u8(0..8) == 0 {
                        let answer = terminate(&backend, &event.id, rng.bool(), now);
                        assert_eq!(answer.is_ok(), terminable, "{event:?} at {now}: {answer:?}");
                    }
                }
                assert_counts_kept(&backend);
                assert_every_status_filter_agrees(&backend, now);
                assert_counts_kept(&backend);
                let by_status = Query {
                    statuses: Some(&STATUSES[..1]),
                    ..unfiltered(20)
                };
                let counted = backend
                    .db
                    .read(|c| counting(c, function, &by_status, now))
                    .unwrap();
                let (stored_or_counted, path) = if rewound {
                    (Counting::Counted, "counts rows before what it settled")
                } else {
                    (Counting::Stored, "reads settled statuses")
                };
                assert_eq!(
                    counted,
                    Some(stored_or_counted),
                    "at {now} a Status filter {path}"
                );
                if !rewound {
                    // Settled up to now: each stored status is the one the clock shows.
                    for (event, status) in stored(&backend) {
                        assert_eq!(status, event.run.view(now).status.as_str(), "{event:?}");
                    }
                }
            }
            assert!(running_again > 0, "seed {seed}: nothing ran again at 2 000");
        }
    }

    #[test]
    fn a_version_1_state_file_is_brought_to_version_2_and_its_events_settle_when_listed() {
        let dir = std::env::temp_dir().join(format!("scf-emulator-v1-{}", crate::ids::uuid()));
        let config = crate::config::Config {
            retention_secs: 1,
            state_dir: Some(dir.clone()),
            ..Default::default()
        };
        let mut rng = fastrand::Rng::with_seed(14);
        {
            // As version 1 wrote it: the configured functions, and events counted per function.
            let backend = Backend {
                config: config.clone(),
                db: std::sync::Arc::new(Db::open_at_version(&dir, 1).unwrap()),
                visibility_delay_ms: 0.into(),
                runner: None,
            };
            backend.seed(0).unwrap();
            let function = hello(&backend);
            backend
                .db
                .write(|tx| {
                    for n in 0..40 {
                        let event = random_event(&mut rng, format!("v1-{n:02}"), 0);
                        insert(tx, function, &event, 0, 1_000)?;
                    }
                    Ok(())
                })
                .unwrap();
            let (version, held, status_columns): (i64, i64, i64) = backend
                .db
                .read(|c| {
                    Ok((
                        c.pragma_query_value(None, "user_version", |r| r.get(0))?,
                        c.query_row("SELECT sum(held) FROM event_counts", [], |r| r.get(0))?,
                        c.query_row(
                            "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'status'",
                            [],
                            |r| r.get(0),
                        )?,
                    ))
                })
                .unwrap();
            assert_eq!((version, held, status_columns), (1, 40, 0));
        }

        let backend = Backend::open(config, 0, None).unwrap();
        let version: i64 = backend
            .db
            .read(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?))
            .unwrap();
        assert_eq!(version, crate::db::SCHEMA_VERSION);
        assert_eq!(version, 2);
        // Every event came across as RUNNING and counted so, to be settled when listed.
        let events = stored(&backend);
        assert_eq!(events.len(), 40);
        assert!(events.iter().all(|(_, status)| status == "RUNNING"));
        assert_counts_kept(&backend);
        assert_eq!(backend.event_count(), 40);
        for now in [0, 1_000, 2_500, 4_000, 5_500] {
            assert_every_status_filter_agrees(&backend, now);
            let (unfiltered, _) = backend
                .db
                .read(|c| {
                    list(
                        c,
                        hello(&backend),
                        &unfiltered(20),
                        Counting::Kept,
                        now,
                        1_000,
                    )
                })
                .unwrap();
            assert_eq!(unfiltered, expected(&backend, &STATUSES, now).0);
            for (event, status) in stored(&backend) {
                assert_eq!(status, event.run.view(now).status.as_str(), "{event:?}");
            }
            // The rows of a page show the status the clock gives, as before.
            let request = ListAsyncEventsRequest::default()
                .function_name("hello")
                .limit(MAX_LIMIT);
            let body = list_async_events(&backend, &request, &call_at(now)).unwrap();
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let rows = body["Response"]["EventList"].as_array().unwrap();
            assert_eq!(rows.len() as i64, unfiltered);
            let runs: std::collections::HashMap<String, Run> = stored(&backend)
                .into_iter()
                .map(|(event, _)| (event.id, event.run))
                .collect();
            for row in rows {
                let view = runs[row["InvokeRequestId"].as_str().unwrap()].view(now);
                assert_eq!(row["Status"], view.status.as_str(), "{row}");
                let ended = view.ended.map(event_time).unwrap_or_default();
                assert_eq!(row["EndTime"], ended.as_str(), "{row}");
            }
            assert_counts_kept(&backend);
        }
        drop(backend);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

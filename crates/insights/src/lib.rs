//! CloudWatch Logs Insights: the query language (lexer, parser with error positions, evaluator,
//! aggregations, the command pipeline) and the [`runner`] that runs queries in the background over
//! the log store's chunks.
//!
//! - [`parse`] turns a query string into a [`Query`] or a [`QueryError`] with its span.
//! - [`Plan`] splits a query for parallel execution: workers fold events into mergeable [`Acc`]s,
//!   and [`Plan::finish`] renders an accumulator (partial or final) as result rows of strings.
//! - [`run_events`] runs a query over events in memory (the golden tests use it).
//!
//! **Architecture invariant**: everything but [`runner`] is pure — no IO, no clock, no threads.

pub mod agg;
pub mod ast;
pub mod discover;
pub mod error;
pub mod eval;
pub mod exec;
pub mod functions;
pub mod jscan;
pub mod lexer;
pub mod parser;
pub mod pattern;
pub mod pick;
pub mod prefilter;
mod rowcmd;
pub mod runner;
pub mod stats;
pub mod value;

pub use ast::Query;
pub use discover::Event;
pub use error::QueryError;
pub use exec::{Acc, MAX_RESULT_ROWS, Plan};
pub use parser::parse;
pub use value::{Value, format_time};

/// A result row: `(field, value)` pairs in column order.
pub type ResultRow = Vec<(String, String)>;

/// Runs `query` over events held in memory (`previous` marks events of `diff`'s earlier period).
/// `now` is the query's start time in epoch milliseconds.
pub fn run_events(
    query: &str,
    events: &[(Event<'_>, bool)],
    now: i64,
    limit: Option<usize>,
) -> Result<Vec<ResultRow>, QueryError> {
    let plan = Plan::new(parse(query)?, limit);
    let ctx = eval::Ctx { now };
    let mut acc = plan.new_acc();
    for (ev, previous) in events {
        plan.feed(ev, *previous, &mut acc, &ctx);
    }
    Ok(plan.finish(&acc, &ctx, limit))
}

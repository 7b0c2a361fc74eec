//! The results as a markdown table (rows: NAT pairs; columns: who runs behind them) and as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::nat::Nat;
use super::pair::{Case, Measured, Pairing};

/// One finished measurement.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Outcome {
    /// What was measured.
    pub(crate) case: Case,
    /// What it saw, unless the lab could not run.
    pub(crate) measured: Option<Measured>,
    /// Why the lab could not run, if it could not.
    pub(crate) error: Option<String>,
}

/// The outcomes of one cell: the runs of one NAT pair and one pairing.
#[derive(Default)]
struct Cell {
    /// Seconds of each run that punched through.
    seconds: Vec<f64>,
    /// Runs made.
    runs: usize,
    /// Runs that failed to set up.
    errors: usize,
}

impl Cell {
    /// The cell's text: `yes 1.2 s` (the median, the lower one of an even count), `no`, or
    /// `2/3 1.2 s` when only some runs punched through; with several runs the slowest follows,
    /// as in `yes 1.2 s (≤ 31.0 s)`.
    fn text(&self) -> String {
        let mut seconds = self.seconds.clone();
        seconds.sort_by(f64::total_cmp);
        let median = seconds.get(seconds.len().saturating_sub(1) / 2);
        let mut text = match median {
            None => "no".to_owned(),
            Some(s) if seconds.len() == self.runs => format!("yes {s:.1} s"),
            Some(s) => format!("{}/{} {s:.1} s", seconds.len(), self.runs),
        };
        if let Some(slowest) = seconds.last().filter(|_| seconds.len() > 1) {
            let _ = write!(text, " (≤ {slowest:.1} s)");
        }
        if self.errors > 0 {
            let _ = write!(text, " ({} errors)", self.errors);
        }
        text
    }
}

/// The markdown table of `outcomes`: one row per NAT pair in `rows`, one column per pairing in
/// `columns`.
pub(crate) fn markdown(outcomes: &[Outcome], rows: &[(Nat, Nat)], columns: &[Pairing]) -> String {
    let mut cells: BTreeMap<(Nat, Nat, Pairing), Cell> = BTreeMap::new();
    for outcome in outcomes {
        let case = &outcome.case;
        let cell = cells.entry((case.a, case.b, case.pairing)).or_default();
        cell.runs += 1;
        cell.errors += usize::from(outcome.error.is_some());
        if let Some(seconds) = outcome.measured.as_ref().and_then(|m| m.seconds) {
            cell.seconds.push(seconds);
        }
    }
    let mut text = String::from("| NAT A | NAT B |");
    for column in columns {
        let _ = write!(text, " {} |", column.label());
    }
    text.push_str("\n|---|---|");
    text.push_str(&"---|".repeat(columns.len()));
    for (a, b) in rows {
        let _ = write!(text, "\n| {a} | {b} |");
        for column in columns {
            let cell = cells.get(&(*a, *b, *column)).map_or_else(|| "–".to_owned(), Cell::text);
            let _ = write!(text, " {cell} |");
        }
    }
    text.push('\n');
    text
}

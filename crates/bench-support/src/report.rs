//! The lines `cargo xtask bench` gathers into its report.

/// The prefix of a line that `cargo xtask bench` copies into its report.
pub const REPORT_PREFIX: &str = "@report";

/// The variable `cargo xtask bench` sets to ask benchmarks for report lines.
pub const REPORT_VARIABLE: &str = "SCF_BENCH_REPORT";

/// One row of the project's benchmark report.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// What part of the project: `tc3-signer`, `scf-transport`, ...
    pub area: String,
    /// What was measured, with its conditions.
    pub measurement: String,
    /// The measured value, with its unit.
    pub value: String,
    /// The baseline measured in the same run, with its unit; empty when the row has none.
    pub baseline: String,
    /// `value / baseline` in the direction the row's name states; empty without a baseline.
    pub ratio: String,
    /// The project's target, when it sets one.
    pub target: String,
}

/// Prints `row` as a line for `cargo xtask bench` to gather, tab-separated after [`REPORT_PREFIX`], when
/// [`REPORT_VARIABLE`] is set; a plain `cargo bench` shows only the benchmarks' own tables.
pub fn report(row: &Row) {
    if std::env::var_os(REPORT_VARIABLE).is_none() {
        return;
    }
    let clean = |field: &str| field.replace(['\t', '\n'], " ");
    println!(
        "{REPORT_PREFIX}\t{}\t{}\t{}\t{}\t{}\t{}",
        clean(&row.area),
        clean(&row.measurement),
        clean(&row.value),
        clean(&row.baseline),
        clean(&row.ratio),
        clean(&row.target)
    );
}

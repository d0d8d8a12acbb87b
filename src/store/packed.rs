//! How the packed reads carry values inside their JSON (`docs/scoring.md`, "Speed"): a REAL
//! as text that reads back bit for bit, an instant as the TEXT it is stored as. Status and the
//! rollup read a whole cycle in a few rows, so these run for every key result and check-in.

use chrono::{DateTime, Utc};

use super::{Result, StoreError};

/// The magnitudes (and zero) for which the packed reads carry a REAL as text: inside this band
/// each form [`exact_real`] writes reads back bit for bit (a test holds it to that), where
/// JSON's own 15 digits would not; outside it, at extremes no one types, `quote()`'s text may
/// be off in the last bit, so the value comes as `null` and its row is read again one by one.
pub const EXACT_BAND: (f64, f64) = (1e-15, 1e15);

/// The scales of [`exact_real`]: `(k, bound)` writes a value below `bound` in magnitude as the
/// integer `v * 2^k` followed by `p<k>`. Multiplying by a power of two is exact, and a bucket
/// holds eleven binades, so any value of 53 significant bits from 2^-10 up to the band's top
/// fits one of them as an integer below 2^63.
const SCALES: [(u32, f64); 6] = [
    (62, 2.0),
    (51, 4096.0),
    (40, 8_388_608.0),
    (29, 17_179_869_184.0),
    (18, 35_184_372_088_832.0),
    (7, 1e15),
];

/// SQL for a REAL column `col` as exact text, `NULL` outside [`EXACT_BAND`]. Formatting a float
/// is the costliest step of a packed read, so none is formatted where an integer says it
/// exactly: a whole number (most values people type: counts, money, days) as that integer, a
/// fraction as `v * 2^k` and `p<k>` for one of the `SCALES`; only the rest (tiny values of many
/// digits, and zero, whose sign `quote()` drops: -0 reads as 0, an equal value) as `quote()`
/// writes them. [`quoted_real`] reads every form back bit for bit.
pub fn exact_real(col: &str) -> String {
    let (lo, hi) = EXACT_BAND;
    let mut sql = format!(
        "CASE WHEN {col} <> 0 AND abs({col}) <= {hi:e} AND {col} = CAST({col} AS INTEGER) \
         THEN CAST(CAST({col} AS INTEGER) AS TEXT)"
    );
    for (k, bound) in SCALES {
        // An integer literal: SQLite's own reading of a float literal need not be exact.
        let scaled = format!("({col} * {})", 1u64 << k);
        sql.push_str(&format!(
            " WHEN abs({col}) < {bound:?} AND abs({col}) >= {lo:e} \
             AND {scaled} = CAST({scaled} AS INTEGER) THEN CAST(CAST({scaled} AS INTEGER) AS TEXT) || 'p{k}'"
        ));
    }
    sql.push_str(&format!(
        " WHEN {col} = 0 OR abs({col}) BETWEEN {lo:e} AND {hi:e} THEN quote({col}) END"
    ));
    sql
}

/// A REAL as [`exact_real`] wrote it; `None` when it was outside the band.
pub fn quoted_real(text: Option<&str>, what: impl Fn() -> String) -> Result<Option<f64>> {
    text.map(|t| {
        let scaled = || {
            let (m, k) = t.split_once('p')?;
            let (m, k) = (m.parse::<i64>().ok()?, k.parse::<u32>().ok()?);
            // `m` came from a double, so it converts exactly, and 2^-k is exact.
            (k <= 62).then(|| m as f64 * f64::from_bits(u64::from(1023 - k) << 52))
        };
        match t.contains('p') {
            true => scaled(),
            false => t.parse::<f64>().ok(),
        }
        .ok_or_else(|| StoreError::Corrupt(format!("{}: {t:?} is not a number", what())))
    })
    .transpose()
}

/// A TEXT instant as the store binds them (RFC 3339), or as SQLite's own functions write them.
pub fn text_instant(text: &str, what: impl Fn() -> String) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").map(|t| t.and_utc())
        })
        .map_err(|_| StoreError::Corrupt(format!("{}: {text:?} is not an instant", what())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_exact_real_writes_reads_back_and_anything_else_is_refused_as_corrupt() {
        let read = |t: &str| quoted_real(Some(t), || "a value".into());
        assert_eq!(read("42").unwrap(), Some(42.0));
        assert_eq!(read("-3p1").unwrap(), Some(-1.5));
        assert_eq!(read("1.0e-05").unwrap(), Some(1e-5));
        assert_eq!(quoted_real(None, String::new).unwrap(), None);
        for bad in [
            "1p", "p62", "5p63", "1.5p2", "1p-2", "abc", "", "🚀", "１２",
        ] {
            let e = read(bad).expect_err(bad).to_string();
            assert!(
                e.contains("a value") && e.contains("is not a number"),
                "{bad}: {e}"
            );
        }
    }
}

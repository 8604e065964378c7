//! A sharded database's directory (`directory` partitioning) as a table of
//! rows, each "keys from `from` live on shard `shard`": reading the rows,
//! writing one cell back, a new row, removing one.
//!
//! The table is checked here first so that a mistake is named by its row in
//! words the table uses ("Row 2: from must be above row 1's (100)") before
//! the engine sees it; the result still goes through `fields::set`, so the
//! engine's own validation has the last word.

use faultline_sim::scenario::DirectoryEntry;
use serde_json::Value;

/// A cell of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    From,
    Shard,
}

/// The rows of a `directory` value (none when it is missing or malformed).
/// Read by hand rather than through serde: the page's wasm stays smaller.
pub fn rows(value: &Value) -> Vec<DirectoryEntry> {
    let row = |r: &Value| {
        let from = r.get("from")?.as_u64()?;
        let shard = u16::try_from(r.get("shard")?.as_u64()?).ok()?;
        Some(DirectoryEntry { from, shard })
    };
    value.as_array().and_then(|a| a.iter().map(row).collect()).unwrap_or_default()
}

fn to_value(rows: &[DirectoryEntry]) -> Value {
    Value::Array(rows.iter().map(|r| serde_json::json!({ "from": r.from, "shard": r.shard })).collect())
}

/// What is wrong with `rows` for a database of `shards` shards, by row
/// (numbered from 1, as the table shows them).
pub fn check(rows: &[DirectoryEntry], shards: u16) -> Result<(), String> {
    for (i, r) in rows.iter().enumerate() {
        let n = i + 1;
        if i == 0 && r.from != 0 {
            return Err(format!("Row 1: the first row must start from key 0 (got {}).", r.from));
        }
        if i > 0 && r.from <= rows[i - 1].from {
            return Err(format!("Row {n}: from must be above row {i}'s ({}).", rows[i - 1].from));
        }
        if r.shard >= shards {
            return Err(format!("Row {n}: shard must be below the shard count, {shards} (got {}).", r.shard));
        }
    }
    Ok(())
}

/// The directory with row `row`'s `cell` set to what was typed, checked.
pub fn set(value: &Value, row: usize, cell: Cell, text: &str, shards: u16) -> Result<Value, String> {
    let mut all = rows(value);
    let n = row + 1;
    let Some(r) = all.get_mut(row) else { return Err(format!("Row {n} is gone.")) };
    let text = text.trim();
    match cell {
        Cell::From => {
            r.from =
                text.parse().map_err(|_| format!("Row {n}: from must be a whole number >= 0 (got \"{text}\")."))?;
        }
        Cell::Shard => {
            r.shard =
                text.parse().map_err(|_| format!("Row {n}: shard must be a whole number >= 0 (got \"{text}\")."))?;
        }
    }
    check(&all, shards)?;
    Ok(to_value(&all))
}

/// One more row: from key 0 on shard 0 in an empty table, else past the last
/// row's key (by the gap between the last two, or 1,000) on the next shard.
pub fn add(value: &Value, shards: u16) -> Value {
    let mut all = rows(value);
    let next = match all[..] {
        [] => DirectoryEntry { from: 0, shard: 0 },
        [.., a, b] => DirectoryEntry {
            from: b.from.saturating_add((b.from - a.from).max(1)),
            shard: (b.shard + 1) % shards.max(1),
        },
        [.., b] => DirectoryEntry { from: b.from.saturating_add(1_000), shard: (b.shard + 1) % shards.max(1) },
    };
    all.push(next);
    to_value(&all)
}

/// The directory without row `row`.
pub fn remove(value: &Value, row: usize) -> Value {
    let mut all = rows(value);
    if row < all.len() {
        all.remove(row);
    }
    to_value(&all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_are_added_past_the_last_on_the_next_shard() {
        let v = add(&Value::Null, 4);
        assert_eq!(v, json!([{ "from": 0, "shard": 0 }]));
        let v = add(&v, 4);
        assert_eq!(v, json!([{ "from": 0, "shard": 0 }, { "from": 1000, "shard": 1 }]));
        let v = add(&v, 2);
        assert_eq!(v[2], json!({ "from": 2000, "shard": 0 }));
        assert_eq!(remove(&v, 1), json!([{ "from": 0, "shard": 0 }, { "from": 2000, "shard": 0 }]));
    }

    #[test]
    fn a_cell_is_set_and_mistakes_are_named_by_their_row() {
        let v = json!([{ "from": 0, "shard": 0 }, { "from": 100, "shard": 1 }]);
        assert_eq!(set(&v, 1, Cell::Shard, "3", 4).unwrap()[1], json!({ "from": 100, "shard": 3 }));
        assert_eq!(set(&v, 1, Cell::From, " 50 ", 4).unwrap()[1]["from"], 50);
        assert_eq!(
            set(&v, 1, Cell::Shard, "4", 4).unwrap_err(),
            "Row 2: shard must be below the shard count, 4 (got 4)."
        );
        assert_eq!(set(&v, 1, Cell::From, "0", 4).unwrap_err(), "Row 2: from must be above row 1's (0).");
        assert_eq!(set(&v, 0, Cell::From, "5", 4).unwrap_err(), "Row 1: the first row must start from key 0 (got 5).");
        assert!(set(&v, 0, Cell::From, "-1", 4).unwrap_err().starts_with("Row 1: from must be a whole number"));
        assert!(set(&v, 5, Cell::From, "1", 4).is_err());
    }
}

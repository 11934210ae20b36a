//! Raw pages: every distinct fetched body, compressed with zstd, kept once by its hash so that
//! everything can be parsed again (`statusdb reparse`).

use super::StoreError;
use super::records::{execute, release_bindings};
use crate::handoff::RawBody;
use crate::model::db_time;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Statement, params};
use std::io::Read;

/// The zstd level raw pages are kept at: fast, and status pages compress about tenfold.
const ZSTD_LEVEL: i32 = 3;

/// A body as the store keeps it (its `content_hash` is `hash`): made where the page is parsed,
/// so that the database writer only inserts it.
pub fn compress_body(body: &[u8], hash: String) -> Result<RawBody, StoreError> {
    Ok(RawBody {
        hash,
        size: body.len(),
        zstd: zstd::bulk::compress(body, ZSTD_LEVEL)
            .map_err(|e| StoreError::Invalid(format!("cannot compress page: {e}")))?,
    })
}

/// Inserts a raw page unless one of its hash is stored (`exists` and `insert` are the writer's
/// held statements).
pub(super) fn store_raw_page(
    exists: &mut Statement<'_>,
    insert: &mut Statement<'_>,
    body: &RawBody,
    fetched_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let stored = exists.exists([&body.hash])?;
    release_bindings(exists)?;
    if stored {
        return Ok(());
    }
    execute(
        insert,
        params![body.hash, body.size as i64, body.zstd, db_time(&fetched_at)],
    )?;
    Ok(())
}

/// Reads a stored raw page back, decompressed.
pub(crate) fn read_raw_page(conn: &Connection, hash: &str) -> Result<Vec<u8>, StoreError> {
    let (compression, blob): (String, Vec<u8>) = conn.query_row(
        "SELECT compression, body FROM raw_pages WHERE hash = ?1",
        [hash],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    match compression.as_str() {
        "zstd" => {
            let mut out = Vec::new();
            zstd::Decoder::new(blob.as_slice())
                .and_then(|mut d| d.read_to_end(&mut out))
                .map_err(|e| StoreError::Invalid(format!("raw page {hash}: {e}")))?;
            Ok(out)
        }
        other => Err(StoreError::Invalid(format!(
            "raw page {hash} has unknown compression {other:?}"
        ))),
    }
}

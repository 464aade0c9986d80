//! Supertable and child-table names (`smlSetCTableName`/`smlParseTableName` in
//! `clientSml.c`, `buildChildTableName` in `source/common/src/tname.c`).

use md5::{Digest, Md5};

use taosync_proto::value::Value;

use super::{MAX_TABLE_NAME_LEN, SmlField, SmlOptions};

/// Replaces every `.` with `_` (`smlStrReplace`; TDengine's `smlDot2Underline` defaults to
/// true), as done to supertable names and to child names taken from a tag:
/// `sys.cpu.nice` becomes `sys_cpu_nice`.
pub fn dot_to_underline(name: &str) -> String {
    name.replace('.', "_")
}

/// The bytes TDengine hashes for a tag value: the text for strings and binary data, the
/// in-memory little-endian bytes (of the value's own width) for numbers and bools.
fn hash_bytes(value: &Value) -> Vec<u8> {
    match value {
        Value::VarChar(s) | Value::NChar(s) | Value::Json(s) => s.as_bytes().to_vec(),
        Value::VarBinary(b) | Value::Geometry(b) | Value::Blob(b) => b.clone(),
        Value::Bool(b) => vec![u8::from(*b)],
        Value::TinyInt(v) => v.to_le_bytes().to_vec(),
        Value::SmallInt(v) => v.to_le_bytes().to_vec(),
        Value::Int(v) => v.to_le_bytes().to_vec(),
        Value::BigInt(v) => v.to_le_bytes().to_vec(),
        Value::UTinyInt(v) => v.to_le_bytes().to_vec(),
        Value::USmallInt(v) => v.to_le_bytes().to_vec(),
        Value::UInt(v) => v.to_le_bytes().to_vec(),
        Value::UBigInt(v) => v.to_le_bytes().to_vec(),
        Value::Float(v) => v.to_le_bytes().to_vec(),
        Value::Double(v) => v.to_le_bytes().to_vec(),
        Value::Timestamp(t) => t.value().to_le_bytes().to_vec(),
        // NULL and DECIMAL never name a table (schemaless tags are never either).
        _ => Vec::new(),
    }
}

/// TDengine's default child-table name: `t_` followed by the lowercase hex MD5 of the
/// supertable name (`stable`, dots already replaced) and, for every tag sorted by key,
/// `,key=value`.
///
/// Keys sort case-insensitively, a shorter key first when one is a prefix of the other
/// (`compareKv`). Values are the unescaped text of string tags and the raw little-endian
/// bytes of numeric and bool tags (`buildChildTableName` hashes the value union). For
/// `meters` with tags `location` = `California.SanFrancisco` and `groupid` = `2` (both
/// NCHAR) the name is `t_251f05d65163f70e2d23faaaa5338caa`.
pub fn child_table_name_md5(stable: &str, tags: &[SmlField]) -> String {
    let mut sorted: Vec<&SmlField> = tags.iter().collect();
    sorted.sort_by(|a, b| {
        let (ka, kb) = (a.name.as_bytes(), b.name.as_bytes());
        let n = ka.len().min(kb.len());
        let prefix = ka[..n]
            .iter()
            .map(u8::to_ascii_lowercase)
            .cmp(kb[..n].iter().map(u8::to_ascii_lowercase));
        prefix.then(ka.len().cmp(&kb.len()))
    });
    let mut md5 = Md5::new();
    md5.update(stable.as_bytes());
    for tag in sorted {
        md5.update(b",");
        md5.update(tag.name.as_bytes());
        md5.update(b"=");
        md5.update(hash_bytes(&tag.value));
    }
    let digest = md5.finalize();
    let mut name = String::with_capacity(34);
    name.push_str("t_");
    for byte in digest.iter() {
        name.push_str(&format!("{byte:02x}"));
    }
    name
}

/// The child-table name of a point, in TDengine's priority order:
///
/// 1. the string tag whose key equals `options.table_name_key` exactly: its value, cut to
///    192 bytes, dots replaced by underscores; the tag is removed from `tags`;
/// 2. otherwise [`child_table_name_md5`] of `raw_measurement` (as written, so line-protocol
///    escapes are part of the hash, as in TDengine, which hashes the raw measurement bytes)
///    with dots replaced.
pub(crate) fn child_table_name(
    raw_measurement: &str,
    tags: &mut Vec<SmlField>,
    options: &SmlOptions,
) -> String {
    if let Some(key) = options.table_name_key.as_deref().filter(|k| !k.is_empty()) {
        let found = tags
            .iter()
            .position(|t| t.name == key && matches!(t.value, Value::VarChar(_) | Value::NChar(_)));
        if let Some(index) = found {
            let tag = tags.remove(index);
            if let Value::VarChar(text) | Value::NChar(text) = tag.value {
                let mut end = text.len().min(MAX_TABLE_NAME_LEN);
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                return dot_to_underline(&text[..end]);
            }
        }
    }
    child_table_name_md5(&dot_to_underline(raw_measurement), tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_become_underlines() {
        assert_eq!(dot_to_underline("sys.cpu.nice"), "sys_cpu_nice");
    }

    #[test]
    fn child_name_of_the_documented_tags() {
        let tags = [
            SmlField::new("location", Value::NChar("California.SanFrancisco".into())),
            SmlField::new("groupid", Value::NChar("2".into())),
        ];
        assert_eq!(
            child_table_name_md5("meters", &tags),
            "t_251f05d65163f70e2d23faaaa5338caa"
        );
    }
}

//! Schemas and values of the TMQ system tables (03 §2.6): SHOW CONSUMERS
//! (`performance_schema.perf_consumers`) and SHOW SUBSCRIPTIONS
//! (`information_schema.ins_subscriptions`).
//!
//! `consumer_id` is reported as BIGINT in both (sources disagree: VARCHAR(32) in some
//! 3.2 builds).

use super::broker::{ConsumerRow, SubscriptionRow};
#[cfg(test)]
use taosync_proto::row::Column;
#[cfg(test)]
use taosync_proto::types::Type;
use taosync_proto::types::{Precision, Timestamp};
use taosync_proto::value::Value;

/// Columns of `perf_consumers`.
#[cfg(test)]
pub fn consumer_columns() -> Vec<Column> {
    vec![
        Column::new("consumer_id", Type::BigInt, 8),
        Column::new("consumer_group", Type::VarChar, 192),
        Column::new("client_id", Type::VarChar, 192),
        Column::new("user", Type::VarChar, 24),
        Column::new("fqdn", Type::VarChar, 128),
        Column::new("status", Type::VarChar, 20),
        Column::new("topics", Type::VarChar, 204),
        Column::new("up_time", Type::Timestamp, 8),
        Column::new("subscribe_time", Type::Timestamp, 8),
        Column::new("rebalance_time", Type::Timestamp, 8),
        Column::new("parameters", Type::VarChar, 512),
    ]
}

fn ts(ms: i64) -> Value {
    if ms == 0 {
        Value::Null
    } else {
        Value::Timestamp(Timestamp::new(ms, Precision::Millisecond))
    }
}

/// One `perf_consumers` row's values, in [`consumer_columns`] order (times in ms; never
/// set times are NULL).
pub fn consumer_values(row: &ConsumerRow) -> Vec<Value> {
    vec![
        Value::BigInt(row.consumer_id),
        Value::VarChar(row.consumer_group.clone()),
        Value::VarChar(row.client_id.clone()),
        Value::VarChar(row.user.clone()),
        Value::VarChar(row.fqdn.clone()),
        Value::VarChar(row.status.to_owned()),
        Value::VarChar(row.topic.clone()),
        ts(row.up_time),
        ts(row.subscribe_time),
        ts(row.rebalance_time),
        Value::VarChar(row.parameters.clone()),
    ]
}

/// Columns of `ins_subscriptions`.
#[cfg(test)]
pub fn subscription_columns() -> Vec<Column> {
    vec![
        Column::new("topic_name", Type::VarChar, 204),
        Column::new("consumer_group", Type::VarChar, 193),
        Column::new("vgroup_id", Type::Int, 4),
        Column::new("consumer_id", Type::BigInt, 8),
        Column::new("user", Type::VarChar, 24),
        Column::new("fqdn", Type::VarChar, 128),
        Column::new("offset", Type::VarChar, 64),
        Column::new("rows", Type::BigInt, 8),
    ]
}

/// One `ins_subscriptions` row's values, in [`subscription_columns`] order.
pub fn subscription_values(row: &SubscriptionRow) -> Vec<Value> {
    vec![
        Value::VarChar(row.topic_name.clone()),
        Value::VarChar(row.consumer_group.clone()),
        Value::Int(row.vgroup_id),
        row.consumer_id.map_or(Value::Null, Value::BigInt),
        Value::VarChar(row.user.clone()),
        Value::VarChar(row.fqdn.clone()),
        Value::VarChar(row.offset.clone()),
        Value::BigInt(row.rows),
    ]
}

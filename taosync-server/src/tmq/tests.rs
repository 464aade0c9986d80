//! Broker, settings and session tests against an in-memory WAL and a manual clock.

use std::sync::Arc;

use super::broker::{ConsumerId, ConsumerStatus, TmqMessage, VgroupAssignment};
use super::clock::ManualClock;
use super::settings::ConsumerSettings;
use super::system::{consumer_columns, subscription_columns};
use super::topic::SelectColumns;
use super::wal::{WalRange, WalSource};
use super::*;
use taosync_proto::code::Code;
use taosync_proto::row::Column;
use taosync_proto::tmq::{
    FetchRawDataReply, OFFSET_INVALID, OffsetReset, RawData, SubscribeArgs, TmqFetchBlockReply,
    codes,
};
use taosync_proto::types::{Precision, Timestamp, Type};
use taosync_proto::value::Value;

const DB: &str = "power";
const VGROUPS: [i32; 3] = [2, 3, 4];

struct Fixture {
    wal: Arc<MemoryWal>,
    clock: Arc<ManualClock>,
    broker: Arc<Broker>,
}

fn data_columns() -> Arc<[Column]> {
    Arc::from(vec![
        Column::new("ts", Type::Timestamp, 8),
        Column::new("v", Type::Int, 4),
    ])
}

fn tag_columns() -> Arc<[Column]> {
    Arc::from(vec![Column::new("loc", Type::VarChar, 16)])
}

fn row(ts: i64, v: i32) -> Vec<Value> {
    vec![
        Value::Timestamp(Timestamp::new(ts, Precision::Millisecond)),
        Value::Int(v),
    ]
}

fn topic(name: &str, kind: TopicKind) -> TopicDef {
    TopicDef {
        name: name.into(),
        db: DB.into(),
        kind,
        with_meta: false,
    }
}

fn fixture() -> Fixture {
    let wal = Arc::new(MemoryWal::new());
    wal.create_db(DB, Precision::Millisecond, &VGROUPS);
    let clock = Arc::new(ManualClock::new(1_000_000));
    let broker = Arc::new(Broker::new(wal.clone(), clock.clone()));
    broker
        .create_topic(topic("t_db", TopicKind::Database), false)
        .unwrap();
    broker
        .create_topic(
            topic(
                "t_st",
                TopicKind::Stable {
                    stable: "meters".into(),
                },
            ),
            false,
        )
        .unwrap();
    Fixture { wal, clock, broker }
}

impl Fixture {
    /// Writes `values` into child table `table` of `meters` on vgroup `vg`, one WAL entry.
    fn write(&self, vg: i32, table: &str, values: &[i32]) -> i64 {
        let rows = values.iter().map(|v| row(i64::from(*v), *v)).collect();
        let block = WalBlock::child(
            table,
            "meters",
            data_columns(),
            tag_columns(),
            Arc::from(vec![Value::VarChar(format!("loc-{table}"))]),
            rows,
        );
        self.wal.append(DB, vg, vec![block]).unwrap()
    }

    fn write_normal(&self, vg: i32, table: &str, values: &[i32]) -> i64 {
        let rows = values.iter().map(|v| row(i64::from(*v), *v)).collect();
        self.wal
            .append(DB, vg, vec![WalBlock::normal(table, data_columns(), rows)])
            .unwrap()
    }

    fn consumer(&self, group: &str, reset: OffsetReset, topics: &[&str]) -> ConsumerId {
        let settings = ConsumerSettings {
            group_id: group.into(),
            client_id: format!("client-{group}"),
            user: "root".into(),
            auto_offset_reset: reset,
            ..ConsumerSettings::default()
        };
        let id = self.broker.create_consumer(settings).unwrap();
        let topics: Vec<String> = topics.iter().map(|t| t.to_string()).collect();
        self.broker.subscribe(id, &topics).unwrap();
        id
    }

    /// Polls until nothing is left; returns every `v` received, sorted, and the messages.
    fn drain(&self, id: ConsumerId) -> (Vec<i32>, Vec<TmqMessage>) {
        let mut values = Vec::new();
        let mut messages = Vec::new();
        while let Some(m) = self.broker.poll(id).unwrap() {
            for b in &m.blocks {
                for r in &b.rows {
                    if let Some(Value::Int(v)) = r.get(1) {
                        values.push(*v);
                    }
                }
            }
            messages.push(m);
            assert!(messages.len() < 1000, "drain does not end");
        }
        values.sort_unstable();
        (values, messages)
    }
}

fn code_of<T: std::fmt::Debug>(r: TmqResult<T>) -> Code {
    r.unwrap_err().code
}

#[test]
fn topics_create_and_drop() {
    let f = fixture();
    assert_eq!(
        code_of(
            f.broker
                .create_topic(topic("t_db", TopicKind::Database), false)
        ),
        Code::MND_TOPIC_ALREADY_EXIST
    );
    f.broker
        .create_topic(topic("t_db", TopicKind::Database), true)
        .unwrap();
    assert_eq!(
        code_of(f.broker.drop_topic("nope", false, false)),
        Code::MND_TOPIC_NOT_EXIST
    );
    f.broker.drop_topic("nope", true, false).unwrap();
    assert!(f.broker.db_has_topics(DB));
    let c = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    assert_eq!(
        code_of(f.broker.drop_topic("t_db", false, false)),
        Code::MND_TOPIC_SUBSCRIBED
    );
    f.broker.drop_topic("t_db", false, true).unwrap();
    assert!(!f.broker.topic_exists("t_db"));
    assert!(f.broker.list_topics(c).unwrap().is_empty());
    f.broker.unsubscribe(c).unwrap();
    f.broker.drop_topic("t_st", false, false).unwrap();
    assert!(!f.broker.db_has_topics(DB));
    assert!(f.broker.topics().is_empty());
}

#[test]
fn subscribe_needs_existing_topics_and_a_group() {
    let f = fixture();
    let id = f.broker.create_consumer(ConsumerSettings {
        group_id: "g".into(),
        ..ConsumerSettings::default()
    });
    let id = id.unwrap();
    assert_eq!(
        code_of(f.broker.subscribe(id, &["missing".into()])),
        Code::MND_TOPIC_NOT_EXIST
    );
    assert_eq!(
        code_of(f.broker.create_consumer(ConsumerSettings::default())),
        codes::INVALID_PARA
    );
    f.broker
        .subscribe(id, &["t_db".into(), "t_db".into(), "t_st".into()])
        .unwrap();
    assert_eq!(f.broker.list_topics(id).unwrap(), vec!["t_db", "t_st"]);
    f.broker.unsubscribe(id).unwrap();
    assert!(f.broker.list_topics(id).unwrap().is_empty());
    assert_eq!(f.broker.poll(id).unwrap(), None);
}

#[test]
fn earliest_delivers_everything_grouped_by_vgroup_and_table() {
    let f = fixture();
    f.write(2, "d1", &[1, 2]);
    f.write(2, "d2", &[3]);
    f.write(3, "d3", &[4]);
    f.write(4, "d4", &[5, 6]);
    let c = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    let (values, messages) = f.drain(c);
    assert_eq!(values, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(messages.len(), 3, "one message per vgroup");
    let m = messages.iter().find(|m| m.vgroup_id == 2).unwrap();
    assert_eq!((m.topic.as_str(), m.db.as_str()), ("t_db", DB));
    assert_eq!((m.offset, m.end_offset), (0, 2));
    assert_eq!(m.precision, Precision::Millisecond);
    let tables: Vec<&str> = m.blocks.iter().map(|b| b.table_name.as_str()).collect();
    assert_eq!(tables, vec!["d1", "d2"], "each block holds one table");
    assert_eq!(m.rows(), 3);
    assert_eq!(f.broker.position(c, "t_db", 2).unwrap(), 2);
    assert_eq!(f.broker.position(c, "t_db", 3).unwrap(), 1);
    // Nothing new: no message; new data: only the new rows.
    assert_eq!(f.broker.poll(c).unwrap(), None);
    let v = f.write(3, "d3", &[7]);
    let m = f.broker.poll(c).unwrap().unwrap();
    assert_eq!((m.vgroup_id, m.offset, m.rows()), (3, v, 1));
}

#[test]
fn consecutive_entries_of_one_table_merge_and_max_rows_splits_messages() {
    let f = fixture();
    let broker = Arc::new(Broker::new(f.wal.clone(), f.clock.clone()).with_max_rows_per_message(3));
    broker
        .create_topic(topic("t", TopicKind::Database), false)
        .unwrap();
    for i in 0..4 {
        f.write(2, "d1", &[i * 2, i * 2 + 1]);
    }
    let id = broker
        .create_consumer(ConsumerSettings {
            group_id: "g".into(),
            auto_offset_reset: OffsetReset::Earliest,
            ..ConsumerSettings::default()
        })
        .unwrap();
    broker.subscribe(id, &["t".into()]).unwrap();
    let m1 = broker.poll(id).unwrap().unwrap();
    assert_eq!(
        (m1.offset, m1.end_offset, m1.rows()),
        (0, 2, 4),
        "entries are never split"
    );
    assert_eq!(
        m1.blocks.len(),
        1,
        "same table and schema merge into one block"
    );
    let m2 = broker.poll(id).unwrap().unwrap();
    assert_eq!((m2.offset, m2.end_offset, m2.rows()), (2, 4, 4));
    assert_eq!(broker.poll(id).unwrap(), None);
}

#[test]
fn latest_sees_only_data_written_after_assignment() {
    let f = fixture();
    f.write(2, "d1", &[1]);
    let c = f.consumer("g", OffsetReset::Latest, &["t_db"]);
    assert_eq!(f.broker.poll(c).unwrap(), None);
    f.write(2, "d1", &[2]);
    f.write(4, "d1", &[3]);
    assert_eq!(f.drain(c).0, vec![2, 3]);
    let a = f.broker.assignment(c, "t_db").unwrap();
    assert_eq!(
        a,
        vec![
            VgroupAssignment {
                vgroup_id: 2,
                offset: 2,
                begin: 0,
                end: 2
            },
            VgroupAssignment {
                vgroup_id: 3,
                offset: 0,
                begin: 0,
                end: 0
            },
            VgroupAssignment {
                vgroup_id: 4,
                offset: 1,
                begin: 0,
                end: 1
            },
        ]
    );
}

#[test]
fn reset_none_fails_without_committed_offset_and_resumes_from_one() {
    let f = fixture();
    f.write(2, "d1", &[1]);
    f.write(2, "d1", &[2]);
    let c = f.consumer("g", OffsetReset::None, &["t_db"]);
    assert_eq!(f.broker.position(c, "t_db", 2).unwrap(), OFFSET_INVALID);
    assert_eq!(
        f.broker.assignment(c, "t_db").unwrap()[0].offset,
        OFFSET_INVALID
    );
    assert_eq!(code_of(f.broker.poll(c)), codes::TMQ_NO_COMMITTED);
    for vg in VGROUPS {
        f.broker
            .commit_offset(c, "t_db", vg, if vg == 2 { 1 } else { 0 })
            .unwrap();
    }
    f.broker.close(c);
    let c2 = f.consumer("g", OffsetReset::None, &["t_db"]);
    assert_eq!(f.drain(c2).0, vec![2]);
}

#[test]
fn committed_rows_are_not_redelivered_uncommitted_rows_are() {
    let f = fixture();
    f.write(2, "d1", &[1]);
    f.write(3, "d2", &[2]);
    let c1 = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    assert_eq!(f.drain(c1).0, vec![1, 2]);
    f.broker.commit(c1).unwrap();
    assert_eq!(f.broker.committed(c1, "t_db", 2).unwrap(), 1);
    assert_eq!(f.broker.committed(c1, "t_db", 4).unwrap(), 0);
    f.write(2, "d1", &[3]);
    f.write(4, "d3", &[4]);
    assert_eq!(f.drain(c1).0, vec![3, 4]);
    // Dies without committing: the replacement gets exactly the uncommitted rows.
    f.broker.close(c1);
    let c2 = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    assert_eq!(f.drain(c2).0, vec![3, 4]);
    f.broker.commit(c2).unwrap();
    f.broker.close(c2);
    let c3 = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    assert_eq!(f.drain(c3).0, Vec::<i32>::new());
}

#[test]
fn two_groups_each_receive_everything() {
    let f = fixture();
    f.write(2, "d1", &[1]);
    f.write(3, "d2", &[2]);
    f.write(4, "d3", &[3]);
    let a = f.consumer("ga", OffsetReset::Earliest, &["t_db"]);
    let b = f.consumer("gb", OffsetReset::Earliest, &["t_db"]);
    assert_eq!(f.drain(a).0, vec![1, 2, 3]);
    f.broker.commit(a).unwrap();
    assert_eq!(f.drain(b).0, vec![1, 2, 3]);
    assert_eq!(f.broker.committed(b, "t_db", 2).unwrap(), OFFSET_INVALID);
}

#[test]
fn rebalancing_splits_vgroups_round_robin_and_rejoins() {
    let f = fixture();
    for vg in VGROUPS {
        f.write(vg, "d", &[vg]);
    }
    let c1 = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    let c2 = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    let vgs = |c| -> Vec<i32> {
        f.broker
            .assignment(c, "t_db")
            .unwrap()
            .iter()
            .map(|a| a.vgroup_id)
            .collect()
    };
    // Consumers sorted by id, vgroups ascending: vgroup i goes to consumer i mod 2.
    assert_eq!(vgs(c1), vec![2, 4]);
    assert_eq!(vgs(c2), vec![3]);
    assert_eq!(
        code_of(f.broker.seek(c1, "t_db", 3, 0)),
        codes::TMQ_INVALID_VGID
    );
    assert_eq!(f.drain(c1).0, vec![2, 4]);
    assert_eq!(f.drain(c2).0, vec![3]);
    f.broker.commit(c2).unwrap();
    // c1 leaves without committing: c2 takes everything, re-reading c1's rows.
    f.broker.close(c1);
    assert_eq!(vgs(c2), vec![2, 3, 4]);
    assert_eq!(f.drain(c2).0, vec![2, 4]);
    // A third consumer in another group does not disturb the split.
    let other = f.consumer("h", OffsetReset::Latest, &["t_db"]);
    assert_eq!(vgs(c2), vec![2, 3, 4]);
    assert_eq!(vgs(other), vec![2, 3, 4]);
}

#[test]
fn session_timeout_hands_vgroups_to_the_survivor() {
    let f = fixture();
    for vg in VGROUPS {
        f.write(vg, "d", &[vg]);
    }
    let c1 = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    let c2 = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    assert_eq!(f.drain(c1).0, vec![2, 4]);
    // c2 keeps polling; c1 goes silent past the 12 s session timeout.
    for _ in 0..5 {
        f.clock.advance(3_000);
        f.broker.heartbeat(c2).unwrap();
    }
    assert_eq!(f.broker.status(c1).unwrap(), ConsumerStatus::Lost);
    assert_eq!(code_of(f.broker.poll(c1)), Code::MND_CONSUMER_NOT_EXIST);
    assert_eq!(code_of(f.broker.commit(c1)), Code::MND_CONSUMER_NOT_EXIST);
    assert_eq!(
        f.drain(c2).0,
        vec![2, 3, 4],
        "c1's uncommitted rows come again"
    );
    f.broker.close(c1);
    assert_eq!(code_of(f.broker.status(c1)), Code::MND_CONSUMER_NOT_EXIST);
}

#[test]
fn max_poll_interval_leaves_the_group_until_the_next_poll() {
    let f = fixture();
    let c1 = f.broker.create_consumer(ConsumerSettings {
        group_id: "g".into(),
        auto_offset_reset: OffsetReset::Earliest,
        max_poll_interval_ms: 5_000,
        ..ConsumerSettings::default()
    });
    let c1 = c1.unwrap();
    f.broker.subscribe(c1, &["t_db".into()]).unwrap();
    let c2 = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    f.clock.advance(4_000);
    f.broker.heartbeat(c1).unwrap();
    f.broker.poll(c2).unwrap();
    f.clock.advance(2_000);
    f.broker.heartbeat(c1).unwrap();
    assert_eq!(f.broker.status(c1).unwrap(), ConsumerStatus::Rebalancing);
    assert!(f.broker.assignment(c1, "t_db").unwrap().is_empty());
    assert_eq!(f.broker.assignment(c2, "t_db").unwrap().len(), 3);
    f.broker.poll(c1).unwrap();
    assert_eq!(f.broker.status(c1).unwrap(), ConsumerStatus::Ready);
    assert_eq!(f.broker.assignment(c1, "t_db").unwrap().len(), 2);
}

#[test]
fn seek_replays_and_is_checked() {
    let f = fixture();
    f.write(2, "d1", &[1]);
    f.write(2, "d1", &[2]);
    let c = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    assert_eq!(f.drain(c).0, vec![1, 2]);
    f.broker.seek(c, "t_db", 2, 1).unwrap();
    assert_eq!(f.broker.position(c, "t_db", 2).unwrap(), 1);
    assert_eq!(f.drain(c).0, vec![2]);
    let begin = f.broker.assignment(c, "t_db").unwrap()[0].begin;
    f.broker.seek(c, "t_db", 2, begin).unwrap();
    assert_eq!(f.drain(c).0, vec![1, 2]);
    assert_eq!(
        code_of(f.broker.seek(c, "t_db", 9, 0)),
        codes::TMQ_INVALID_VGID
    );
    assert_eq!(
        code_of(f.broker.seek(c, "t_st", 2, 0)),
        codes::TMQ_INVALID_TOPIC
    );
    assert_eq!(
        code_of(f.broker.seek(c, "t_db", 2, 3)),
        codes::TMQ_VERSION_OUT_OF_RANGE
    );
    assert_eq!(
        code_of(f.broker.seek(c, "t_db", 2, -1)),
        codes::TMQ_VERSION_OUT_OF_RANGE
    );
    assert_eq!(
        code_of(f.broker.commit_offset(c, "t_db", 2, 5)),
        codes::TMQ_VERSION_OUT_OF_RANGE
    );
    assert_eq!(
        code_of(f.broker.committed(c, "t_st", 2)),
        codes::TMQ_INVALID_TOPIC
    );
    assert_eq!(
        code_of(f.broker.position(c, "t_db", 7)),
        codes::TMQ_INVALID_VGID
    );
    assert_eq!(
        code_of(f.broker.assignment(c, "t_st")),
        codes::TMQ_INVALID_TOPIC
    );
}

#[test]
fn commit_offset_is_read_back_and_used_by_the_next_consumer() {
    let f = fixture();
    for v in 0..5 {
        f.write(3, "d", &[v]);
    }
    let c = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    assert_eq!(f.broker.committed(c, "t_db", 3).unwrap(), OFFSET_INVALID);
    f.broker.commit_offset(c, "t_db", 3, 3).unwrap();
    assert_eq!(f.broker.committed(c, "t_db", 3).unwrap(), 3);
    assert_eq!(
        f.broker.position(c, "t_db", 3).unwrap(),
        0,
        "commit does not move the position"
    );
    f.broker.close(c);
    let c = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    assert_eq!(f.broker.position(c, "t_db", 3).unwrap(), 3);
    assert_eq!(f.drain(c).0, vec![3, 4]);
}

#[test]
fn auto_commit_runs_at_poll_time_once_the_interval_elapsed() {
    let f = fixture();
    f.write(2, "d", &[1]);
    let c = f
        .broker
        .create_consumer(ConsumerSettings {
            group_id: "g".into(),
            auto_offset_reset: OffsetReset::Earliest,
            auto_commit: true,
            auto_commit_interval_ms: 1_000,
            ..ConsumerSettings::default()
        })
        .unwrap();
    f.broker.subscribe(c, &["t_db".into()]).unwrap();
    assert!(f.broker.poll(c).unwrap().is_some());
    assert_eq!(f.broker.committed(c, "t_db", 2).unwrap(), OFFSET_INVALID);
    f.clock.advance(500);
    f.broker.poll(c).unwrap();
    assert_eq!(
        f.broker.committed(c, "t_db", 2).unwrap(),
        OFFSET_INVALID,
        "too early"
    );
    f.clock.advance(600);
    f.broker.poll(c).unwrap();
    assert_eq!(f.broker.committed(c, "t_db", 2).unwrap(), 1);
}

#[test]
fn stable_and_query_topics_select_their_rows() {
    let f = fixture();
    let projector = SelectColumns::new(vec![
        Column::new("ts", Type::Timestamp, 8),
        Column::new("loc", Type::VarChar, 16),
        Column::new("v", Type::Int, 4),
    ])
    .with_filter(Arc::new(
        |_, row: &[Value]| matches!(row.get(1), Some(Value::Int(v)) if *v % 2 == 0),
    ));
    f.broker
        .create_topic(
            topic(
                "t_q",
                TopicKind::Query {
                    table: "meters".into(),
                    projector: Arc::new(projector),
                },
            ),
            false,
        )
        .unwrap();
    f.write(2, "d1", &[1, 2, 3, 4]);
    f.write_normal(2, "n1", &[6]);
    f.write(2, "d2", &[5]);
    let st = f.consumer("g1", OffsetReset::Earliest, &["t_st"]);
    assert_eq!(f.drain(st).0, vec![1, 2, 3, 4, 5], "normal table excluded");
    let q = f.consumer("g2", OffsetReset::Earliest, &["t_q"]);
    let m = f.broker.poll(q).unwrap().unwrap();
    assert_eq!((m.offset, m.end_offset), (0, 3));
    assert_eq!(m.blocks.len(), 1, "d2 has no matching row");
    let b = &m.blocks[0];
    assert_eq!(b.table_name, "d1");
    let names: Vec<&str> = b.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["ts", "loc", "v"]);
    assert_eq!(b.rows[0][1], Value::VarChar("loc-d1".into()));
    assert_eq!(
        b.rows.iter().map(|r| r[2].clone()).collect::<Vec<_>>(),
        vec![Value::Int(2), Value::Int(4)]
    );
    assert_eq!(f.broker.poll(q).unwrap(), None);
    assert_eq!(
        f.broker.position(q, "t_q", 2).unwrap(),
        3,
        "skipped entries advance the position"
    );
}

#[test]
fn wal_retention_moves_earliest() {
    let f = fixture();
    for v in 0..4 {
        f.write(2, "d", &[v]);
    }
    f.wal.trim(DB, 2, 2).unwrap();
    let c = f.consumer("g", OffsetReset::Earliest, &["t_db"]);
    let a = f.broker.assignment(c, "t_db").unwrap();
    assert_eq!((a[0].offset, a[0].begin, a[0].end), (2, 2, 4));
    assert_eq!(f.drain(c).0, vec![2, 3]);
    // A position below `begin` (seek to 0) reads from what is retained.
    f.broker.seek(c, "t_db", 2, 0).unwrap();
    assert_eq!(f.drain(c).0, vec![2, 3]);
}

#[test]
fn memory_wal_retention_is_bounded() {
    let wal = MemoryWal::new().with_max_entries(2);
    wal.create_db("d", Precision::Nanosecond, &[1]);
    for v in 0..5 {
        let rows = vec![row(v, v as i32)];
        assert_eq!(
            wal.append("d", 1, vec![WalBlock::normal("t", data_columns(), rows)])
                .unwrap(),
            v
        );
    }
    assert_eq!(wal.range("d", 1).unwrap(), WalRange { begin: 3, end: 5 });
    let versions: Vec<i64> = wal
        .read("d", 1, 0, 10)
        .unwrap()
        .iter()
        .map(|e| e.version)
        .collect();
    assert_eq!(versions, vec![3, 4]);
    assert_eq!(wal.read("d", 1, 4, 10).unwrap().len(), 1);
    assert_eq!(wal.read("d", 1, 0, 1).unwrap().len(), 1);
    assert_eq!(wal.precision("d").unwrap(), Precision::Nanosecond);
    assert_eq!(wal.vgroups("d").unwrap(), vec![1]);
    assert_eq!(code_of(wal.vgroups("x")), Code::MND_DB_NOT_EXIST);
    assert_eq!(code_of(wal.range("d", 9)), codes::TMQ_INVALID_VGID);
    assert!(wal.append("d", 9, Vec::new()).is_err());
    wal.drop_db("d");
    assert!(wal.read("d", 1, 0, 1).is_err());
}

#[test]
fn broker_is_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Broker>();
    assert_send_sync::<MemoryWal>();
    fn assert_send<T: Send>() {}
    assert_send::<TmqSession>();
}

#[test]
fn system_table_rows() {
    let f = fixture();
    f.write(2, "d", &[1, 2]);
    let c = f.consumer("g", OffsetReset::Earliest, &["t_db", "t_st"]);
    f.clock.advance(10);
    f.drain(c);
    f.broker.commit(c).unwrap();
    let rows = f.broker.consumer_rows();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].consumer_id, c);
    assert_eq!(rows[0].consumer_group, "g");
    assert_eq!(rows[0].client_id, "client-g");
    assert_eq!(rows[0].status, "ready");
    assert_eq!(
        (rows[0].topic.as_str(), rows[1].topic.as_str()),
        ("t_db", "t_st")
    );
    assert_eq!(rows[0].up_time, 1_000_000);
    assert_eq!(
        rows[0].parameters,
        "tbname:1,commit:0,interval:5000ms,reset:earliest"
    );
    let values = consumer_values(&rows[0]);
    assert_eq!(values.len(), consumer_columns().len());
    assert_eq!(values[0], Value::BigInt(c));

    let subs = f.broker.subscription_rows();
    assert_eq!(subs.len(), 6, "two topics × three vgroups");
    let s = &subs[0];
    assert_eq!(
        (
            s.topic_name.as_str(),
            s.consumer_group.as_str(),
            s.vgroup_id
        ),
        ("t_db", "g", 2)
    );
    assert_eq!(s.consumer_id, Some(c));
    assert_eq!(s.offset, "log:1");
    assert_eq!(s.rows, 2);
    assert_eq!(subscription_values(s).len(), subscription_columns().len());
    // After close the subscription remains, without a consumer, until the group is dropped.
    f.broker.close(c);
    let subs = f.broker.subscription_rows();
    assert_eq!(subs.len(), 6);
    assert_eq!(subs[0].consumer_id, None);
    assert_eq!(subscription_values(&subs[0])[3], Value::Null);
    f.broker.drop_consumer_group("g", "t_db").unwrap();
    assert_eq!(f.broker.subscription_rows().len(), 3);
    let c = f.consumer("g", OffsetReset::Earliest, &["t_st"]);
    assert_eq!(
        code_of(f.broker.drop_consumer_group("g", "t_st")),
        Code::MND_CGROUP_USED
    );
    assert_eq!(f.broker.committed(c, "t_st", 2).unwrap(), 1);
}

// ---------------------------------------------------------------------------------------
// Settings

#[test]
fn settings_from_subscribe_follow_the_adapter() {
    let mut args = SubscribeArgs {
        group_id: "g".into(),
        client_id: "c".into(),
        offset_rest: "earliest".into(),
        offset_reset: "none".into(),
        auto_commit: "t".into(),
        auto_commit_interval_ms: "100".into(),
        with_table_name: "false".into(),
        session_timeout_ms: "6000".into(),
        max_poll_interval_ms: "2000".into(),
        ..SubscribeArgs::default()
    };
    args.config.insert("client.id".into(), "from-config".into());
    args.config
        .insert("td.connect.user".into(), "ignored".into());
    let s = ConsumerSettings::from_subscribe(&args).unwrap();
    assert_eq!(s.auto_offset_reset, OffsetReset::None, "offset_reset wins");
    assert_eq!(s.client_id, "from-config", "config applies last");
    assert!(s.auto_commit && !s.with_table_name);
    assert_eq!(
        (
            s.auto_commit_interval_ms,
            s.session_timeout_ms,
            s.max_poll_interval_ms
        ),
        (100, 6000, 2000)
    );

    let defaults = ConsumerSettings::from_subscribe(&SubscribeArgs {
        group_id: "g".into(),
        ..SubscribeArgs::default()
    })
    .unwrap();
    assert!(!defaults.auto_commit, "absent auto_commit: no auto commit");
    assert_eq!(defaults.auto_offset_reset, OffsetReset::Latest);

    let bad = |f: &dyn Fn(&mut SubscribeArgs)| {
        let mut a = SubscribeArgs {
            group_id: "g".into(),
            ..SubscribeArgs::default()
        };
        f(&mut a);
        ConsumerSettings::from_subscribe(&a).unwrap_err()
    };
    let e = bad(&|a| a.offset_rest = "soon".into());
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            codes::INVALID_PARA,
            "invalid value for key 'auto.offset.reset': soon"
        )
    );
    let e = bad(&|a| {
        a.config.insert("x.y".into(), "1".into());
    });
    assert_eq!(e.message, "unknown configuration key: x.y");
    let e = bad(&|a| a.auto_commit = "maybe".into());
    assert_eq!(e.code, Code::ADAPTER_GENERIC);
    let e = bad(&|a| a.auto_commit_interval_ms = "1s".into());
    assert_eq!(e.code, Code::ADAPTER_GENERIC);
    let e = bad(&|a| a.session_timeout_ms = "5".into());
    assert_eq!(e.code, codes::INVALID_PARA);
    let e = bad(&|a| a.group_id.clear());
    assert_eq!(e.code, codes::INVALID_PARA);
}

// ---------------------------------------------------------------------------------------
// Session

fn texts(replies: Vec<SessionReply>) -> Vec<serde_json::Value> {
    replies
        .into_iter()
        .map(|r| match r {
            SessionReply::Text(t) => serde_json::from_str(&t).unwrap(),
            SessionReply::Binary(b) => panic!("unexpected binary frame of {} bytes", b.len()),
        })
        .collect()
}

fn one(replies: Vec<SessionReply>) -> serde_json::Value {
    let mut v = texts(replies);
    assert_eq!(v.len(), 1);
    v.remove(0)
}

fn binary(replies: Vec<SessionReply>) -> Vec<u8> {
    match replies.as_slice() {
        [SessionReply::Binary(b)] => b.clone(),
        other => panic!("expected one binary frame, got {other:?}"),
    }
}

const SUBSCRIBE: &str = r#"{"action":"subscribe","args":{"req_id":1,"user":"root","password":"taosdata","group_id":"g1","client_id":"c1","offset_rest":"earliest","topics":["t_db"],"auto_commit":"false","with_table_name":"true"}}"#;

#[test]
fn session_runs_the_worked_example_flow() {
    let f = fixture();
    f.write(3, "d1001", &[219, 218]);
    let mut s = TmqSession::new(f.broker.clone(), "3.3.6.0").with_peer("127.0.0.1");
    let v = one(s.handle_text(r#"{"action":"version"}"#));
    assert_eq!(
        (v["action"].as_str(), v["version"].as_str()),
        (Some("version"), Some("3.3.6.0"))
    );
    // Before subscribe: other actions fail, poll waits for the subscribe, junk is ignored.
    let e = one(s.handle_text(r#"{"action":"commit","args":{"req_id":9}}"#));
    assert_eq!(
        (e["code"].as_i64(), e["message"].as_str()),
        (Some(65535), Some("tmq not init"))
    );
    assert!(
        s.handle_text(r#"{"action":"poll","args":{"req_id":2,"blocking_time":0}}"#)
            .is_empty()
    );
    assert!(s.handle_text("garbage").is_empty());
    assert!(s.handle_text(r#"{"action":"nope","args":{}}"#).is_empty());
    let replies = texts(s.handle_text(SUBSCRIBE));
    assert_eq!(replies.len(), 2, "the queued poll runs after subscribe");
    assert_eq!(replies[0]["action"], "subscribe");
    assert_eq!(replies[0]["code"], 0);
    let poll = &replies[1];
    assert_eq!(poll["req_id"], 2);
    assert_eq!(poll["have_message"], true);
    assert_eq!(poll["topic"], "t_db");
    assert_eq!(poll["database"], DB);
    assert_eq!(poll["vgroup_id"], 3);
    assert_eq!(poll["message_type"], 1);
    assert_eq!(poll["message_id"], 1);
    assert_eq!(poll["offset"], 0);
    let e = one(s.handle_text(SUBSCRIBE));
    assert_eq!(e["message"], "tmq should have unsubscribed first");

    let fetch = one(s.handle_text(r#"{"action":"fetch","args":{"req_id":3,"message_id":1}}"#));
    assert_eq!(fetch["completed"], false);
    assert_eq!(fetch["table_name"], "d1001");
    assert_eq!(fetch["rows"], 2);
    assert_eq!(fetch["fields_names"], serde_json::json!(["ts", "v"]));
    assert_eq!(fetch["fields_types"], serde_json::json!([9, 4]));
    let frame =
        binary(s.handle_text(r#"{"action":"fetch_block","args":{"req_id":3,"message_id":1}}"#));
    let block = TmqFetchBlockReply::decode(&frame).unwrap();
    assert_eq!((block.req_id, block.message_id), (3, 1));
    let rows = taosync_proto::block::decode_block(block.block, Precision::Millisecond)
        .unwrap()
        .rows;
    assert_eq!(rows, vec![row(219, 219), row(218, 218)]);
    let done = one(s.handle_text(r#"{"action":"fetch","args":{"req_id":4,"message_id":1}}"#));
    assert_eq!(done["completed"], true);
    assert_eq!(done["fields_names"], serde_json::Value::Null);
    let e = one(s.handle_text(r#"{"action":"fetch_block","args":{"req_id":4,"message_id":1}}"#));
    assert_eq!(e["message"], "no fetch data");
    assert_eq!(e["message_id"], 1);

    // fetch_raw_data returns the whole message.
    let frame =
        binary(s.handle_text(r#"{"action":"fetch_raw_data","args":{"req_id":5,"message_id":1}}"#));
    let reply = FetchRawDataReply::decode(&frame).unwrap();
    assert_eq!(reply.req_id, 5);
    let (_, raw) = reply.into_result().unwrap();
    let data = RawData::decode(raw).unwrap();
    assert_eq!(data.blocks.len(), 1);
    assert_eq!(data.blocks[0].table_name.as_deref(), Some("d1001"));
    assert_eq!(data.blocks[0].decode().unwrap().rows.len(), 2);
    let frame =
        binary(s.handle_text(r#"{"action":"fetch_raw_data","args":{"req_id":6,"message_id":7}}"#));
    let err = FetchRawDataReply::decode(&frame)
        .unwrap()
        .into_result()
        .unwrap_err();
    assert_eq!(err.message(), "message ID is not equal");
    let e = one(s.handle_text(r#"{"action":"fetch","args":{"req_id":6,"message_id":7}}"#));
    assert_eq!(e["message"], "message ID are not equal");
    let e =
        one(s.handle_text(r#"{"action":"fetch_json_meta","args":{"req_id":6,"message_id":1}}"#));
    assert_eq!(e["message"], "message type can not get meta, type: 1");

    let c = one(s.handle_text(r#"{"action":"commit","args":{"req_id":7,"message_id":1}}"#));
    assert_eq!(
        (c["code"].as_i64(), c["message_id"].as_i64()),
        (Some(0), Some(1))
    );
    let c = one(s.handle_text(
        r#"{"action":"committed","args":{"req_id":8,"topic_vgroup_ids":[{"topic":"t_db","vgroup_id":3},{"topic":"t_db","vgroup_id":2}]}}"#,
    ));
    assert_eq!(c["committed"], serde_json::json!([1, 0]));
    let p = one(s.handle_text(
        r#"{"action":"position","args":{"req_id":9,"topic_vgroup_ids":[{"topic":"t_db","vgroup_id":3}]}}"#,
    ));
    assert_eq!(p["position"], serde_json::json!([1]));
    let e = one(s.handle_text(
        r#"{"action":"position","args":{"req_id":9,"topic_vgroup_ids":[{"topic":"t_db","vgroup_id":99}]}}"#,
    ));
    assert_eq!(e["code"], 0x4008);
    let a = one(s.handle_text(r#"{"action":"assignment","args":{"req_id":10,"topic":"t_db"}}"#));
    assert_eq!(a["assignment"].as_array().unwrap().len(), 3);
    assert_eq!(
        a["assignment"][1],
        serde_json::json!({"vgroup_id":3,"offset":1,"begin":0,"end":1})
    );
    let l = one(s.handle_text(r#"{"action":"list_topics","args":{"req_id":11}}"#));
    assert_eq!(l["topics"], serde_json::json!(["t_db"]));

    // Nothing new: an empty poll; the replay guard re-sends a lost reply.
    let p = one(
        s.handle_text(r#"{"action":"poll","args":{"req_id":12,"blocking_time":0,"message_id":1}}"#)
    );
    assert_eq!(p["have_message"], false);
    let seek = one(s.handle_text(
        r#"{"action":"seek","args":{"req_id":13,"topic":"t_db","vgroup_id":3,"offset":0}}"#,
    ));
    assert_eq!(seek["code"], 0);
    let p = one(
        s.handle_text(r#"{"action":"poll","args":{"req_id":14,"blocking_time":0,"message_id":1}}"#)
    );
    assert_eq!(
        (p["message_id"].as_i64(), p["offset"].as_i64()),
        (Some(2), Some(0))
    );
    let again = one(
        s.handle_text(r#"{"action":"poll","args":{"req_id":15,"blocking_time":0,"message_id":1}}"#)
    );
    assert_eq!(again["req_id"], 15);
    assert_eq!(again["message_id"], 2, "the cached message is sent again");
    let e = one(s.handle_text(r#"{"action":"fetch","args":{"req_id":16,"message_id":1}}"#));
    assert_eq!(
        e["message"], "message ID are not equal",
        "only one message is alive"
    );

    let u = one(s.handle_text(r#"{"action":"unsubscribe","args":{"req_id":17}}"#));
    assert_eq!(u["code"], 0);
    let e = one(s.handle_text(r#"{"action":"fetch","args":{"req_id":18,"message_id":2}}"#));
    assert_eq!(e["message"], "message has been freed");
    // Re-subscribe keeps the consumer and resumes from the committed offset.
    let id = s.consumer().unwrap();
    let replies = texts(s.handle_text(SUBSCRIBE));
    assert_eq!(replies[0]["code"], 0);
    assert_eq!(s.consumer(), Some(id));
    let p = one(s.handle_text(r#"{"action":"poll","args":{"req_id":19,"blocking_time":0}}"#));
    assert_eq!(
        p["have_message"], false,
        "version 0 of vgroup 3 was committed"
    );
    // The network layer's heartbeat keeps an idle consumer alive past the session timeout.
    for _ in 0..10 {
        f.clock.advance(5_000);
        s.heartbeat().unwrap();
    }
    assert_eq!(f.broker.status(id).unwrap(), ConsumerStatus::Ready);
    s.close();
    assert_eq!(code_of(f.broker.status(id)), Code::MND_CONSUMER_NOT_EXIST);
    s.heartbeat().unwrap();
}

#[test]
fn session_subscribe_errors() {
    let f = fixture();
    let mut s =
        TmqSession::new(f.broker.clone(), "3.3.6.0").with_authenticator(Box::new(|user, pass| {
            if (user, pass) == ("root", "taosdata") {
                Ok(())
            } else {
                Err(TmqError::code(Code::MND_AUTH_FAILURE))
            }
        }));
    let e = one(s.handle_text(&SUBSCRIBE.replace("taosdata", "wrong")));
    assert_eq!(e["code"], 0x0357);
    let e = one(s.handle_text(&SUBSCRIBE.replace("[\"t_db\"]", "[\"missing\"]")));
    assert_eq!(e["code"], 0x03E1);
    let e = one(s.handle_text(&SUBSCRIBE.replace("earliest", "sometime")));
    assert_eq!(
        (e["code"].as_i64(), e["message"].as_str()),
        (
            Some(280),
            Some("invalid value for key 'auto.offset.reset': sometime")
        )
    );
    assert_eq!(s.consumer(), None);
    assert!(
        f.broker.consumer_rows().is_empty(),
        "failed subscribes leave no consumer"
    );
    let frame =
        binary(s.handle_text(r#"{"action":"fetch_raw_data","args":{"req_id":1,"message_id":1}}"#));
    let err = FetchRawDataReply::decode(&frame)
        .unwrap()
        .into_result()
        .unwrap_err();
    assert_eq!(err.message(), "tmq not init");
    let v = one(s.handle_text(&SUBSCRIBE.replace(
        "\"with_table_name\":\"true\"",
        "\"with_table_name\":\"true\",\"list_instances\":true",
    )));
    assert_eq!(v["code"], 0);
    assert_eq!(v["list_instances"], serde_json::json!([]));
    let rows = f.broker.consumer_rows();
    assert_eq!(
        (rows[0].user.as_str(), rows[0].client_id.as_str()),
        ("root", "c1")
    );
}

#[test]
fn blocking_poll_wakes_on_new_data() {
    let f = fixture();
    let mut s = TmqSession::new(f.broker.clone(), "3.3.6.0");
    let replies = texts(s.handle_text(&SUBSCRIBE.replace("earliest", "latest")));
    assert_eq!(replies[0]["code"], 0);
    let wal = f.wal.clone();
    let broker = f.broker.clone();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        wal.append(
            DB,
            2,
            vec![WalBlock::normal("n", data_columns(), vec![row(1, 1)])],
        )
        .unwrap();
        broker.notify_data();
    });
    let start = std::time::Instant::now();
    let p = one(s.handle_text(r#"{"action":"poll","args":{"req_id":2,"blocking_time":5000}}"#));
    writer.join().unwrap();
    assert_eq!(p["have_message"], true);
    assert!(start.elapsed() < std::time::Duration::from_secs(4));
    let p = one(s.handle_text(r#"{"action":"poll","args":{"req_id":3,"blocking_time":20}}"#));
    assert_eq!(p["have_message"], false);
}

/// The client's sans-IO pieces against the server's: `ConsumerConfig` → `subscribe`,
/// then poll / fetch / fetch_block / fetch_raw_data / commit decoded with the client
/// decoders.
#[test]
fn client_codecs_drive_a_session() {
    use taosync_proto::tmq::{
        CommitArgs, ConsumerConfig, FetchArgs, FetchBlockArgs, FetchRawDataArgs, PollArgs,
        SubscribeArgs, decode_tmq_reply,
    };
    use taosync_proto::ws::{Action, encode_request};

    fn text_of(replies: Vec<SessionReply>) -> String {
        match replies.as_slice() {
            [SessionReply::Text(t)] => t.clone(),
            other => panic!("expected one text frame, got {other:?}"),
        }
    }

    let f = fixture();
    f.write(2, "d1", &[1, 2]);
    f.write(4, "d2", &[3]);
    let mut s = TmqSession::new(f.broker.clone(), "3.3.6.0");
    let config = ConsumerConfig::from_map([
        ("group.id", "grp"),
        ("client.id", "cli"),
        ("auto.offset.reset", "earliest"),
    ])
    .unwrap();
    let args = config.subscribe_args(&["t_db"], 1, "taosync");
    let reply = text_of(s.handle_text(&encode_request(&args).unwrap()));
    assert_eq!(
        decode_tmq_reply::<SubscribeArgs>(&reply)
            .unwrap()
            .body
            .version,
        "3.3.6.0"
    );

    let mut seen = Vec::new();
    let mut last_id = 0;
    loop {
        let poll = PollArgs {
            req_id: 2,
            blocking_time: 0,
            message_id: Some(last_id),
        };
        let reply = text_of(s.handle_text(&encode_request(&poll).unwrap()));
        let poll = decode_tmq_reply::<PollArgs>(&reply).unwrap().body;
        if !poll.have_message {
            break;
        }
        last_id = poll.message_id;
        if poll.vgroup_id == 2 {
            // Block by block.
            loop {
                let fetch = FetchArgs {
                    req_id: 3,
                    message_id: last_id,
                };
                let reply = text_of(s.handle_text(&encode_request(&fetch).unwrap()));
                let fetch = decode_tmq_reply::<FetchArgs>(&reply).unwrap().body;
                if fetch.completed {
                    break;
                }
                let columns = fetch.columns().unwrap();
                let block = FetchBlockArgs {
                    req_id: 3,
                    message_id: last_id,
                };
                let frame = binary(s.handle_text(&encode_request(&block).unwrap()));
                let frame = TmqFetchBlockReply::decode(&frame).unwrap();
                let rows = taosync_proto::block::decode_rows(
                    frame.block,
                    fetch.timestamp_precision(),
                    &Arc::from(columns),
                )
                .unwrap();
                for r in rows {
                    seen.push(r.get::<i32>("v").unwrap());
                }
            }
        } else {
            // The whole message at once.
            let raw = FetchRawDataArgs {
                req_id: 4,
                message_id: last_id,
            };
            let frame = binary(s.handle_text(&encode_request(&raw).unwrap()));
            let reply = FetchRawDataReply::decode(&frame).unwrap();
            let (_, payload) = reply.into_result().unwrap();
            for block in RawData::decode(payload).unwrap().blocks {
                assert_eq!(block.columns().unwrap().len(), 2);
                for r in block.decode().unwrap().rows {
                    if let Value::Int(v) = r[1] {
                        seen.push(v);
                    }
                }
            }
        }
        let commit = CommitArgs {
            req_id: 5,
            message_id: last_id,
        };
        let reply = text_of(s.handle_text(&encode_request(&commit).unwrap()));
        assert_eq!(
            decode_tmq_reply::<CommitArgs>(&reply)
                .unwrap()
                .body
                .message_id,
            last_id
        );
    }
    seen.sort_unstable();
    assert_eq!(seen, vec![1, 2, 3]);
    assert_eq!(CommitArgs::NAME, "commit");
    let rows = f.broker.subscription_rows();
    assert!(rows.iter().all(|r| r.consumer_group == "grp"));
    assert_eq!(
        rows.iter().filter(|r| r.offset.starts_with("log:")).count(),
        3
    );
}

#[test]
fn every_documented_consumer_key_is_accepted_and_only_malformed_values_refused() {
    let mut s = ConsumerSettings::default();
    for (k, v) in [
        ("group.id", "g"),
        ("client.id", "c"),
        ("enable.auto.commit", "true"),
        ("enable.wal.marker", "false"),
        ("auto.commit.interval.ms", "1000"),
        ("session.timeout.ms", "30000"),
        ("heartbeat.interval.ms", "3000"),
        ("max.poll.interval.ms", "60000"),
        ("auto.offset.reset", "earliest"),
        ("msg.with.table.name", "true"),
        ("experimental.snapshot.enable", "false"),
        ("td.connect.ip", "localhost"),
        ("td.connect.user", "root"),
        ("td.connect.pass", "taosdata"),
        ("td.connect.token", "t"),
        ("td.connect.port", "6030"),
        ("td.connect.db", "power"),
        ("td.connect.websocket.scheme", "ws"),
        ("enable.replay", "false"),
        ("msg.consume.excluded", "1"),
        ("msg.consume.rawdata", "0"),
        ("msg.enable.batchmeta", "true"),
        ("fetch.max.wait.ms", "250"),
        ("min.poll.rows", "8"),
        // Keys match without regard to case, as tmq_conf_set's strcasecmp does.
        ("Fetch.Max.Wait.MS", "300"),
    ] {
        s.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e:?}"));
    }
    assert_eq!(s.session_timeout_ms, 30_000);
    assert_eq!(s.max_poll_interval_ms, 60_000);
    assert_eq!(s.fetch_max_wait_ms, 300);
    assert_eq!(s.min_poll_rows, Some(8));
    assert!(s.msg_consume_excluded && s.enable_batch_meta && !s.msg_consume_rawdata);
    // The integer flags read anything else as off, as the C library does.
    s.set("msg.consume.excluded", "yes").unwrap();
    assert!(!s.msg_consume_excluded);
    for (k, v) in [
        ("fetch.max.wait.ms", "0"),
        ("fetch.max.wait.ms", "soon"),
        ("min.poll.rows", "-1"),
        ("heartbeat.interval.ms", "30000"),
        ("session.timeout.ms", "10"),
        ("enable.wal.marker", "maybe"),
        ("group.id", "a:b"),
    ] {
        let e = s.set(k, v).unwrap_err();
        assert_eq!(e.code, codes::INVALID_PARA, "{k}={v}");
        assert_eq!(e.message, format!("invalid value for key '{k}': {v}"));
    }
    // What the C library does not know is still refused.
    let e = s.set("fetch.min.bytes", "1").unwrap_err();
    assert_eq!(e.message, "unknown configuration key: fetch.min.bytes");
}

/// The rows of the polled message `poll`, counted by fetching every block.
fn message_rows(s: &mut TmqSession, poll: &serde_json::Value) -> i64 {
    let mut rows = 0;
    loop {
        let fetch = format!(
            r#"{{"action":"fetch","args":{{"req_id":90,"message_id":{}}}}}"#,
            poll["message_id"]
        );
        let f = one(s.handle_text(&fetch));
        if f["completed"] == true {
            return rows;
        }
        rows += f["rows"].as_i64().unwrap();
    }
}

#[test]
fn min_poll_rows_gathers_up_to_fetch_max_wait_ms() {
    let f = fixture();
    let subscribe = SUBSCRIBE.replace(
        r#""with_table_name":"true""#,
        r#""with_table_name":"true","config":{"min.poll.rows":"3","fetch.max.wait.ms":"300"}"#,
    );
    f.write(2, "d1", &[1]);
    let mut s = TmqSession::new(f.broker.clone(), "3.3.6.0");
    assert_eq!(texts(s.handle_text(&subscribe))[0]["code"], 0);
    // One row is there, three are asked for: a writer adds two more within the wait, and
    // the poll answers with all three in one message.
    let wal = f.wal.clone();
    let broker = f.broker.clone();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let block = |v: i32| WalBlock::normal("n", data_columns(), vec![row(i64::from(v), v)]);
        wal.append(DB, 2, vec![block(2), block(3)]).unwrap();
        broker.notify_data();
    });
    let p = one(s.handle_text(r#"{"action":"poll","args":{"req_id":2,"blocking_time":5000}}"#));
    writer.join().unwrap();
    assert_eq!(p["have_message"], true);
    assert_eq!(message_rows(&mut s, &p), 3);
    // Fewer rows than asked and nobody writing: the poll answers after fetch.max.wait.ms
    // (not its whole blocking time) with what there is.
    f.write(3, "d2", &[4]);
    let start = std::time::Instant::now();
    let p = one(s.handle_text(r#"{"action":"poll","args":{"req_id":3,"blocking_time":5000}}"#));
    let waited = start.elapsed();
    assert_eq!(p["have_message"], true);
    assert_eq!(message_rows(&mut s, &p), 1);
    assert!(
        waited >= std::time::Duration::from_millis(250),
        "{waited:?}"
    );
    assert!(waited < std::time::Duration::from_secs(3), "{waited:?}");
}

#[test]
fn without_min_poll_rows_a_poll_answers_at_once() {
    let f = fixture();
    f.write(2, "d1", &[1]);
    let mut s = TmqSession::new(f.broker.clone(), "3.3.6.0");
    assert_eq!(texts(s.handle_text(SUBSCRIBE))[0]["code"], 0);
    let start = std::time::Instant::now();
    let p = one(s.handle_text(r#"{"action":"poll","args":{"req_id":2,"blocking_time":5000}}"#));
    assert_eq!(p["have_message"], true);
    assert!(start.elapsed() < std::time::Duration::from_millis(200));
}

/// A [`WalSource`] counting the entries it hands out (each one a clone of its rows).
#[derive(Debug)]
struct CountingWal {
    inner: MemoryWal,
    entries_read: std::sync::atomic::AtomicUsize,
}

impl WalSource for CountingWal {
    fn vgroups(&self, db: &str) -> TmqResult<Vec<i32>> {
        self.inner.vgroups(db)
    }
    fn precision(&self, db: &str) -> TmqResult<Precision> {
        self.inner.precision(db)
    }
    fn range(&self, db: &str, vgroup: i32) -> TmqResult<WalRange> {
        self.inner.range(db, vgroup)
    }
    fn read(
        &self,
        db: &str,
        vgroup: i32,
        from: i64,
        max_entries: usize,
    ) -> TmqResult<Vec<super::wal::WalEntry>> {
        let entries = self.inner.read(db, vgroup, from, max_entries)?;
        self.entries_read
            .fetch_add(entries.len(), std::sync::atomic::Ordering::Relaxed);
        Ok(entries)
    }
}

/// A topic of large writes is consumed reading each entry about once: a poll that ends
/// after one 5,000-row entry (past the 4,096-row message limit) must not clone the
/// hundreds of entries behind it. Reading them made a 1M-row topic quadratic to drain.
#[test]
fn polls_read_about_the_entries_they_deliver() {
    let wal = Arc::new(CountingWal {
        inner: MemoryWal::new(),
        entries_read: std::sync::atomic::AtomicUsize::new(0),
    });
    wal.inner.create_db(DB, Precision::Millisecond, &[2]);
    let entries = 200usize;
    for e in 0..entries {
        let rows = (0..5_000).map(|i| row(i64::from(i), i)).collect();
        wal.inner
            .append(
                DB,
                2,
                vec![WalBlock::normal(
                    format!("t{}", e % 3),
                    data_columns(),
                    rows,
                )],
            )
            .unwrap();
    }
    let clock = Arc::new(ManualClock::new(1_000_000));
    let broker = Broker::new(wal.clone(), clock);
    broker
        .create_topic(topic("t_db", TopicKind::Database), false)
        .unwrap();
    let id = broker
        .create_consumer(ConsumerSettings {
            group_id: "g".into(),
            client_id: "c".into(),
            user: "root".into(),
            auto_offset_reset: OffsetReset::Earliest,
            ..ConsumerSettings::default()
        })
        .unwrap();
    broker.subscribe(id, &["t_db".into()]).unwrap();
    let mut rows = 0usize;
    while let Some(m) = broker.poll(id).unwrap() {
        rows += m.rows();
    }
    assert_eq!(rows, entries * 5_000);
    let read = wal.entries_read.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        read <= entries * 2,
        "{read} entries read to deliver {entries}"
    );
}

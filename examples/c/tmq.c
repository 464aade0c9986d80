/*
 * tmq.c: data subscription (TMQ) through taosync's libtaos.so, over WebSocket. Creates a
 * database, a table and a topic, inserts rows, subscribes, polls the rows and reads the
 * first pass with taos_fetch_block, commits, reads the committed offset, position and
 * topic assignment, seeks back to the start of the vgroup and reads the same rows again
 * with taos_fetch_row, then unsubscribes and closes. Every value read is checked against
 * what was inserted; the program exits non-zero on the first mismatch or failure.
 *
 * Built and run under valgrind by examples/c/run.sh; by hand (from the repository root):
 *
 *   cargo build -p taosync-capi
 *   cc -Wall -Wextra -o target/tmq examples/c/tmq.c \
 *      -Itaosync-capi/include -Ltarget/debug -ltaos -Wl,-rpath,"$PWD/target/debug"
 *   target/tmq [host] [port]               # default 127.0.0.1 6041
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taos.h"

#define ROWS 10
#define BASE_TS INT64_C(1700000000000)
#define TOPIC "tmq_c_topic"

static int fail(const char *what, const char *msg) {
  fprintf(stderr, "tmq: %s: %s\n", what, msg ? msg : "(no message)");
  return 1;
}

static int run(TAOS *taos, const char *sql) {
  TAOS_RES *res = taos_query(taos, sql);
  int code = taos_errno(res);
  if (code != 0) fail(sql, taos_errstr(res));
  taos_free_result(res);
  return code;
}

/* Row i: ts BASE_TS + i, v = 10 * i, s = "row-<i>" or NULL every third row. */
static bool s_is_null(int i) { return i % 3 == 2; }

/* Checks one row against what was inserted; marks it in seen[]. */
static int check_row(int64_t ts, const int32_t *v, const char *s, int s_len, bool seen[ROWS]) {
  int64_t i = ts - BASE_TS;
  if (i < 0 || i >= ROWS) return fail("row", "timestamp out of range");
  if (seen[i]) return fail("row", "delivered twice in one pass");
  seen[i] = true;
  if (v == NULL || *v != 10 * i) return fail("row", "wrong v");
  char want[16];
  snprintf(want, sizeof want, "row-%" PRId64, i);
  if (s_is_null((int)i) != (s == NULL)) return fail("row", "wrong NULL in s");
  if (s != NULL && (s_len != (int)strlen(want) || memcmp(s, want, (size_t)s_len) != 0)) {
    return fail("row", "wrong s");
  }
  printf("  ts=%" PRId64 " v=%" PRId32 " s=%s%.*s\n", ts, *v, s ? "" : "NULL", s ? s_len : 0,
         s ? s : "");
  return 0;
}

/* Reads every block of a message with taos_fetch_block (columns ts, v, s). */
static int read_blocks(TAOS_RES *msg, bool seen[ROWS], int *rows) {
  TAOS_ROW cols;
  int n;
  while ((n = taos_fetch_block(msg, &cols)) > 0) {
    if (taos_num_fields(msg) != 3) return fail("taos_fetch_block", "expected 3 columns");
    int *offsets = taos_get_column_data_offset(msg, 2);
    if (offsets == NULL) return fail("taos_get_column_data_offset", taos_errstr(NULL));
    for (int r = 0; r < n; r++) {
      int64_t ts;
      int32_t v;
      memcpy(&ts, (const char *)cols[0] + r * 8, sizeof ts);
      memcpy(&v, (const char *)cols[1] + r * 4, sizeof v);
      const char *s = NULL;
      uint16_t len = 0;
      if (offsets[r] >= 0) {
        const char *entry = (const char *)cols[2] + offsets[r];
        memcpy(&len, entry, sizeof len);
        s = entry + sizeof len;
      }
      if (taos_is_null(msg, r, 2) != (s == NULL)) return fail("taos_is_null", "disagrees");
      if (check_row(ts, taos_is_null(msg, r, 1) ? NULL : &v, s, len, seen)) return 1;
    }
    *rows += n;
  }
  return n < 0 ? fail("taos_fetch_block", taos_errstr(msg)) : 0;
}

/* Reads every row of a message with taos_fetch_row. */
static int read_rows(TAOS_RES *msg, bool seen[ROWS], int *rows) {
  TAOS_ROW row;
  while ((row = taos_fetch_row(msg)) != NULL) {
    int *lengths = taos_fetch_lengths(msg);
    int64_t ts;
    memcpy(&ts, row[0], sizeof ts);
    int32_t v;
    if (row[1]) memcpy(&v, row[1], sizeof v);
    if (check_row(ts, row[1] ? &v : NULL, row[2], lengths[2], seen)) return 1;
    (*rows)++;
  }
  return taos_errno(msg) != 0 ? fail("taos_fetch_row", taos_errstr(msg)) : 0;
}

/* Polls until ROWS rows have arrived, reading them by block or by row and committing each
 * message; the vgroup of the last message goes to *vg_id. */
static int consume(tmq_t *tmq, bool by_block, int32_t *vg_id) {
  bool seen[ROWS] = {false};
  int rows = 0;
  for (int polls = 0; rows < ROWS && polls < 20; polls++) {
    TAOS_RES *msg = tmq_consumer_poll(tmq, 1000);
    if (msg == NULL) {
      if (taos_errno(NULL) != 0) return fail("tmq_consumer_poll", taos_errstr(NULL));
      continue;
    }
    int rc = 0;
    if (tmq_get_res_type(msg) != TMQ_RES_DATA) rc = fail("tmq_get_res_type", "not data");
    if (!rc && (strcmp(tmq_get_topic_name(msg), TOPIC) != 0 ||
                strcmp(tmq_get_db_name(msg), "tmq_c") != 0)) {
      rc = fail("message", "wrong topic or database name");
    }
    if (!rc) {
      *vg_id = tmq_get_vgroup_id(msg);
      printf(" message: topic %s, db %s, vgroup %" PRId32 ", offset %" PRId64 "\n",
             tmq_get_topic_name(msg), tmq_get_db_name(msg), *vg_id, tmq_get_vgroup_offset(msg));
      rc = by_block ? read_blocks(msg, seen, &rows) : read_rows(msg, seen, &rows);
    }
    if (!rc && tmq_commit_sync(tmq, msg) != 0) rc = fail("tmq_commit_sync", taos_errstr(NULL));
    taos_free_result(msg);
    if (rc) return rc;
  }
  if (rows != ROWS) return fail("poll", "not every row arrived");
  printf(" %d rows read with %s\n", rows, by_block ? "taos_fetch_block" : "taos_fetch_row");
  return 0;
}

static int set(tmq_conf_t *conf, const char *key, const char *value) {
  if (tmq_conf_set(conf, key, value) != TMQ_CONF_OK) return fail(key, taos_errstr(NULL));
  return 0;
}

static int subscribe_and_consume(const char *host, const char *port) {
  tmq_conf_t *conf = tmq_conf_new();
  int rc = set(conf, "group.id", "tmq_c_group") || set(conf, "td.connect.ip", host) ||
           set(conf, "td.connect.port", port) || set(conf, "td.connect.user", "root") ||
           set(conf, "td.connect.pass", "taosdata") || set(conf, "auto.offset.reset", "earliest") ||
           set(conf, "enable.auto.commit", "false") || set(conf, "msg.with.table.name", "true");
  char errstr[256] = "";
  tmq_t *tmq = rc ? NULL : tmq_consumer_new(conf, errstr, sizeof errstr);
  tmq_conf_destroy(conf);
  if (tmq == NULL) return rc ? rc : fail("tmq_consumer_new", errstr);

  tmq_list_t *topics = tmq_list_new();
  tmq_list_append(topics, TOPIC);
  rc = tmq_subscribe(tmq, topics);
  tmq_list_destroy(topics);
  if (rc != 0) {
    tmq_consumer_close(tmq);
    return fail("tmq_subscribe", tmq_err2str(rc));
  }
  tmq_list_t *subscribed = NULL;
  if (tmq_subscription(tmq, &subscribed) != 0 || tmq_list_get_size(subscribed) != 1 ||
      strcmp(tmq_list_to_c_array(subscribed)[0], TOPIC) != 0) {
    rc = fail("tmq_subscription", "expected the one topic");
  }
  tmq_list_destroy(subscribed);

  int32_t vg_id = 0;
  printf("first pass:\n");
  if (!rc) rc = consume(tmq, true, &vg_id);

  /* Everything was committed: committed offset, position and assignment agree. */
  tmq_topic_assignment *assignment = NULL;
  int32_t n = 0;
  if (!rc) {
    int64_t committed = tmq_committed(tmq, TOPIC, vg_id);
    int64_t position = tmq_position(tmq, TOPIC, vg_id);
    printf("vgroup %" PRId32 ": committed %" PRId64 ", position %" PRId64 "\n", vg_id, committed,
           position);
    if (committed < 0 || committed != position) rc = fail("tmq_committed", "differs from position");
  }
  if (!rc && tmq_get_topic_assignment(tmq, TOPIC, &assignment, &n) != 0) {
    rc = fail("tmq_get_topic_assignment", taos_errstr(NULL));
  }
  int found = -1;
  for (int i = 0; !rc && i < n; i++) {
    printf("assignment: vgroup %" PRId32 ", current %" PRId64 ", begin %" PRId64 ", end %" PRId64
           "\n",
           assignment[i].vgId, assignment[i].currentOffset, assignment[i].begin, assignment[i].end);
    if (assignment[i].vgId == vg_id) found = i;
  }
  if (!rc && (found < 0 || assignment[found].currentOffset != assignment[found].end)) {
    rc = fail("tmq_get_topic_assignment", "the vgroup is missing or not consumed to its end");
  }

  /* Back to the start of the vgroup: the same rows again, read row by row. */
  if (!rc && tmq_offset_seek(tmq, TOPIC, vg_id, assignment[found].begin) != 0) {
    rc = fail("tmq_offset_seek", taos_errstr(NULL));
  }
  if (!rc && tmq_position(tmq, TOPIC, vg_id) != assignment[found].begin) {
    rc = fail("tmq_position", "not where tmq_offset_seek put it");
  }
  tmq_free_assignment(assignment);
  printf("after seeking to the beginning:\n");
  if (!rc) rc = consume(tmq, false, &vg_id);

  if (!rc && tmq_unsubscribe(tmq) != 0) rc = fail("tmq_unsubscribe", taos_errstr(NULL));
  if (tmq_consumer_close(tmq) != 0 && !rc) rc = fail("tmq_consumer_close", taos_errstr(NULL));
  return rc;
}

int main(int argc, char *argv[]) {
  const char *host = argc > 1 ? argv[1] : "127.0.0.1";
  const char *port = argc > 2 ? argv[2] : "6041";
  TAOS *taos = taos_connect(host, "root", "taosdata", NULL, (uint16_t)atoi(port));
  if (taos == NULL) return fail("taos_connect", taos_errstr(NULL));

  int rc = run(taos, "DROP TOPIC IF EXISTS " TOPIC) || run(taos, "DROP DATABASE IF EXISTS tmq_c") ||
           run(taos, "CREATE DATABASE tmq_c") ||
           run(taos, "CREATE TABLE tmq_c.t (ts TIMESTAMP, v INT, s VARCHAR(16))") ||
           run(taos, "CREATE TOPIC " TOPIC " AS SELECT ts, v, s FROM tmq_c.t");
  for (int i = 0; !rc && i < ROWS; i++) {
    char sql[128], s[16] = "NULL";
    if (!s_is_null(i)) snprintf(s, sizeof s, "'row-%d'", i);
    snprintf(sql, sizeof sql, "INSERT INTO tmq_c.t VALUES (%" PRId64 ", %d, %s)", BASE_TS + i,
             10 * i, s);
    rc = run(taos, sql);
  }
  if (!rc) rc = subscribe_and_consume(host, port);
  if (!rc) rc = run(taos, "DROP TOPIC " TOPIC) || run(taos, "DROP DATABASE tmq_c");
  taos_close(taos);
  taos_cleanup();
  if (!rc) printf("tmq: all values as inserted\n");
  return rc ? 1 : 0;
}

/*
 * quickstart.c: TDengine's C API through taosync's libtaos.so (crate taosync-capi), over
 * WebSocket, with nothing of TDengine installed. Connects, creates a database and a super
 * table, inserts two child tables with stmt2 (tags, NULLs, nanosecond timestamps), then
 * queries and prints the rows. Exits non-zero on the first failure.
 *
 * Build (from the repository root):
 *
 *   cargo build -p taosync-capi            # target/debug/libtaos.so
 *   cc -Wall -Wextra -o target/quickstart examples/c/quickstart.c \
 *      -Itaosync-capi/include -Ltarget/debug -ltaos -Wl,-rpath,"$PWD/target/debug"
 *
 * Run against a taosAdapter (or `cargo run -p taosync-server -- --port 6041`):
 *
 *   target/quickstart [host] [port]        # default 127.0.0.1 6041
 *
 * Set TAOSYNC_DSN (e.g. wss://user:pass@host:443?token=...) for anything taos_connect's
 * arguments cannot say.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taos.h"

#define ROWS 3

static int fail(const char *what, const char *msg) {
  fprintf(stderr, "quickstart: %s: %s\n", what, msg ? msg : "(no message)");
  return 1;
}

/* Runs a statement without a result set; 0 on success. */
static int run(TAOS *taos, const char *sql) {
  TAOS_RES *res = taos_query(taos, sql);
  int code = taos_errno(res);
  if (code != 0) {
    fail(sql, taos_errstr(res));
  }
  taos_free_result(res);
  return code;
}

/* Inserts two child tables of `meters` in one stmt2 bind: tags (location, groupid) and
 * ROWS rows of (ts, current, voltage, phase) each; some values are NULL. */
static int insert_with_stmt2(TAOS *taos, int64_t base) {
  TAOS_STMT2_OPTION option = {0, true, false, NULL, NULL};
  TAOS_STMT2 *stmt = taos_stmt2_init(taos, &option);
  if (stmt == NULL) {
    return fail("taos_stmt2_init", taos_errstr(NULL));
  }
  const char *sql = "INSERT INTO ? USING meters TAGS (?, ?) VALUES (?, ?, ?, ?)";
  if (taos_stmt2_prepare(stmt, sql, 0) != 0) {
    fail("taos_stmt2_prepare", taos_stmt2_error(stmt));
    taos_stmt2_close(stmt);
    return 1;
  }

  /* The placeholders as the server describes them. */
  int count = 0;
  TAOS_FIELD_ALL *fields = NULL;
  if (taos_stmt2_get_fields(stmt, &count, &fields) != 0) {
    fail("taos_stmt2_get_fields", taos_stmt2_error(stmt));
    taos_stmt2_close(stmt);
    return 1;
  }
  printf("placeholders:");
  for (int i = 0; i < count; i++) {
    printf(" %s(kind %d, type %d)", fields[i].name, fields[i].field_type, fields[i].type);
  }
  printf("\n");
  taos_stmt2_free_fields(stmt, fields);

  char *tbnames[2] = {"d1001", "d1002"};

  /* Tags: one value each. VARCHAR values are bytes with a length; the INT of d1002 is NULL. */
  char loc1[] = "California.SF";
  char loc2[] = "California.LA";
  int32_t loc1_len = (int32_t)strlen(loc1), loc2_len = (int32_t)strlen(loc2);
  int32_t group1 = 2, group2 = 0;
  char tag_null = 1;
  TAOS_STMT2_BIND tags1[2] = {
      {TSDB_DATA_TYPE_VARCHAR, loc1, &loc1_len, NULL, 1},
      {TSDB_DATA_TYPE_INT, &group1, NULL, NULL, 1},
  };
  TAOS_STMT2_BIND tags2[2] = {
      {TSDB_DATA_TYPE_VARCHAR, loc2, &loc2_len, NULL, 1},
      {TSDB_DATA_TYPE_INT, &group2, NULL, &tag_null, 1},
  };

  /* Columns: ROWS values per column. Timestamps are counts in the database precision (ns). */
  int64_t ts1[ROWS] = {base, base + 1, base + 2};
  int64_t ts2[ROWS] = {base + 10, base + 11, base + 12};
  float current1[ROWS] = {10.3f, 12.6f, 12.3f};
  float current2[ROWS] = {11.8f, 0.0f, 10.9f};
  char current2_null[ROWS] = {0, 1, 0};
  int32_t voltage1[ROWS] = {219, 218, 221};
  int32_t voltage2[ROWS] = {221, 220, 219};
  /* Variable-width values back to back; NULL rows take no bytes. */
  char phase1[] = "ABC";
  int32_t phase1_len[ROWS] = {1, 1, 1};
  char phase2[] = "AC";
  int32_t phase2_len[ROWS] = {1, 0, 1};
  char phase2_null[ROWS] = {0, 1, 0};
  TAOS_STMT2_BIND cols1[4] = {
      {TSDB_DATA_TYPE_TIMESTAMP, ts1, NULL, NULL, ROWS},
      {TSDB_DATA_TYPE_FLOAT, current1, NULL, NULL, ROWS},
      {TSDB_DATA_TYPE_INT, voltage1, NULL, NULL, ROWS},
      {TSDB_DATA_TYPE_VARCHAR, phase1, phase1_len, NULL, ROWS},
  };
  TAOS_STMT2_BIND cols2[4] = {
      {TSDB_DATA_TYPE_TIMESTAMP, ts2, NULL, NULL, ROWS},
      {TSDB_DATA_TYPE_FLOAT, current2, NULL, current2_null, ROWS},
      {TSDB_DATA_TYPE_INT, voltage2, NULL, NULL, ROWS},
      {TSDB_DATA_TYPE_VARCHAR, phase2, phase2_len, phase2_null, ROWS},
  };

  TAOS_STMT2_BIND *tags[2] = {tags1, tags2};
  TAOS_STMT2_BIND *cols[2] = {cols1, cols2};
  TAOS_STMT2_BINDV bindv = {2, tbnames, tags, cols};
  if (taos_stmt2_bind_param(stmt, &bindv, -1) != 0) {
    fail("taos_stmt2_bind_param", taos_stmt2_error(stmt));
    taos_stmt2_close(stmt);
    return 1;
  }
  int affected = 0;
  if (taos_stmt2_exec(stmt, &affected) != 0) {
    fail("taos_stmt2_exec", taos_stmt2_error(stmt));
    taos_stmt2_close(stmt);
    return 1;
  }
  printf("stmt2 inserted %d rows\n", affected);
  if (taos_stmt2_close(stmt) != 0) {
    return fail("taos_stmt2_close", taos_errstr(NULL));
  }
  return affected == 2 * ROWS ? 0 : fail("taos_stmt2_exec", "unexpected affected row count");
}

/* Prints one value of a row from taos_fetch_row (NULL pointer: SQL NULL). */
static void print_value(const TAOS_FIELD *field, const void *value, int length) {
  if (value == NULL) {
    printf("NULL");
    return;
  }
  switch (field->type) {
    case TSDB_DATA_TYPE_TIMESTAMP:
    case TSDB_DATA_TYPE_BIGINT: {
      int64_t v;
      memcpy(&v, value, sizeof v);
      printf("%" PRId64, v);
      break;
    }
    case TSDB_DATA_TYPE_INT: {
      int32_t v;
      memcpy(&v, value, sizeof v);
      printf("%" PRId32, v);
      break;
    }
    case TSDB_DATA_TYPE_FLOAT: {
      float v;
      memcpy(&v, value, sizeof v);
      printf("%.2f", v);
      break;
    }
    case TSDB_DATA_TYPE_VARCHAR:
    case TSDB_DATA_TYPE_NCHAR:
      printf("%.*s", length, (const char *)value);
      break;
    default:
      printf("<type %d>", field->type);
  }
}

static int query_and_print(TAOS *taos) {
  TAOS_RES *res = taos_query(
      taos, "SELECT ts, current, voltage, phase, location, groupid FROM meters ORDER BY ts");
  if (taos_errno(res) != 0) {
    fail("select", taos_errstr(res));
    taos_free_result(res);
    return 1;
  }
  int ncols = taos_field_count(res);
  TAOS_FIELD *fields = taos_fetch_fields(res);
  for (int i = 0; i < ncols; i++) {
    printf("%s%s", i ? "\t" : "", fields[i].name);
  }
  printf("\n");
  int nrows = 0, nulls = 0;
  TAOS_ROW row;
  while ((row = taos_fetch_row(res)) != NULL) {
    int *lengths = taos_fetch_lengths(res);
    for (int i = 0; i < ncols; i++) {
      if (i) printf("\t");
      print_value(&fields[i], row[i], lengths[i]);
      nulls += row[i] == NULL;
    }
    printf("\n");
    nrows++;
  }
  int code = taos_errno(res);
  taos_free_result(res);
  if (code != 0) {
    return fail("fetch", taos_errstr(NULL));
  }
  printf("%d rows, %d NULLs\n", nrows, nulls);
  /* NULLs: current and phase of one d1002 row, groupid of the three d1002 rows. */
  if (nrows != 2 * ROWS || nulls != 5) {
    return fail("select", "unexpected rows");
  }
  return 0;
}

int main(int argc, char *argv[]) {
  const char *host = argc > 1 ? argv[1] : "127.0.0.1";
  uint16_t port = (uint16_t)(argc > 2 ? atoi(argv[2]) : 6041);
  printf("client %s\n", taos_get_client_info());

  TAOS *taos = taos_connect(host, "root", "taosdata", NULL, port);
  if (taos == NULL) {
    return fail("taos_connect", taos_errstr(NULL));
  }
  printf("server %s\n", taos_get_server_info(taos));

  int rc = run(taos, "DROP DATABASE IF EXISTS quickstart") ||
           run(taos, "CREATE DATABASE quickstart PRECISION 'ns'") ||
           taos_select_db(taos, "quickstart") ||
           run(taos,
               "CREATE STABLE meters (ts TIMESTAMP, current FLOAT, voltage INT, phase VARCHAR(4)) "
               "TAGS (location VARCHAR(24), groupid INT)") ||
           insert_with_stmt2(taos, INT64_C(1700000000000000001)) || query_and_print(taos);

  taos_close(taos);
  taos_cleanup();
  return rc ? 1 : 0;
}

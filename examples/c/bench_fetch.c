/*
 * bench_fetch.c: rows/s and client CPU per row of a large fetch through taos_fetch_block
 * (taosync's libtaos.so), to compare with taosync's Rust API on the same server
 * (taosync-capi/examples/bench_fetch.rs reads the same table and does the same work per
 * row: it adds up the INT column and the lengths of the VARCHAR values).
 *
 * Run it through examples/c/bench.sh, which builds both in release mode, starts one
 * taosync-server, fills the table once, runs both clients in alternating order REPS
 * times and prints the medians and their ratio. By hand:
 *
 *   target/bench_fetch 127.0.0.1 PORT 1000000   # fills bench.t (1,000,000 rows), then fetches
 *   target/bench_fetch 127.0.0.1 PORT 0         # fetches only
 *
 * The table has a TIMESTAMP, an INT, a DOUBLE and a VARCHAR(16) column. CPU is this
 * process's user + system time (getrusage, all threads), so the server's work is not counted.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "taos.h"

#define BATCH 10000

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
  struct rusage u;
  if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
  return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static int run(TAOS *taos, const char *sql) {
  TAOS_RES *res = taos_query(taos, sql);
  int code = taos_errno(res);
  if (code != 0) fprintf(stderr, "%s: %s\n", sql, taos_errstr(res));
  taos_free_result(res);
  return code;
}

static int fill(TAOS *taos, long total) {
  if (run(taos, "DROP DATABASE IF EXISTS bench") || run(taos, "CREATE DATABASE bench") ||
      run(taos, "CREATE TABLE bench.t (ts TIMESTAMP, v INT, d DOUBLE, s VARCHAR(16))")) {
    return 1;
  }
  TAOS_STMT2 *stmt = taos_stmt2_init(taos, NULL);
  if (stmt == NULL || taos_stmt2_prepare(stmt, "INSERT INTO bench.t VALUES (?, ?, ?, ?)", 0) != 0) {
    fprintf(stderr, "stmt2: %s\n", stmt ? taos_stmt2_error(stmt) : taos_errstr(NULL));
    return 1;
  }
  static int64_t ts[BATCH];
  static int32_t v[BATCH];
  static double d[BATCH];
  static char s[BATCH * 8];
  static int32_t s_len[BATCH];
  for (long done = 0; done < total; done += BATCH) {
    int n = (int)(total - done < BATCH ? total - done : BATCH);
    for (int i = 0; i < n; i++) {
      long r = done + i;
      ts[i] = INT64_C(1600000000000) + r;
      v[i] = (int32_t)r;
      d[i] = (double)r / 4;
      memcpy(s + 8 * i, "value-", 6);
      s[8 * i + 6] = (char)('a' + r % 26);
      s[8 * i + 7] = (char)('a' + (r / 26) % 26);
      s_len[i] = 8;
    }
    TAOS_STMT2_BIND cols[4] = {
        {TSDB_DATA_TYPE_TIMESTAMP, ts, NULL, NULL, n},
        {TSDB_DATA_TYPE_INT, v, NULL, NULL, n},
        {TSDB_DATA_TYPE_DOUBLE, d, NULL, NULL, n},
        {TSDB_DATA_TYPE_VARCHAR, s, s_len, NULL, n},
    };
    TAOS_STMT2_BIND *tables[1] = {cols};
    TAOS_STMT2_BINDV bindv = {1, NULL, NULL, tables};
    int affected = 0;
    if (taos_stmt2_bind_param(stmt, &bindv, -1) != 0 || taos_stmt2_exec(stmt, &affected) != 0) {
      fprintf(stderr, "stmt2: %s\n", taos_stmt2_error(stmt));
      taos_stmt2_close(stmt);
      return 1;
    }
  }
  taos_stmt2_close(stmt);
  return 0;
}

int main(int argc, char *argv[]) {
  const char *host = argc > 1 ? argv[1] : "127.0.0.1";
  uint16_t port = (uint16_t)(argc > 2 ? atoi(argv[2]) : 6041);
  long total = argc > 3 ? atol(argv[3]) : 1000000;
  TAOS *taos = taos_connect(host, "root", "taosdata", NULL, port);
  if (taos == NULL) {
    fprintf(stderr, "connect: %s\n", taos_errstr(NULL));
    return 1;
  }
  if (total > 0 && fill(taos, total) != 0) return 1;

  double t0 = now_s();
  double c0 = cpu_s();
  TAOS_RES *res = taos_query(taos, "SELECT ts, v, d, s FROM bench.t");
  if (taos_errno(res) != 0) {
    fprintf(stderr, "select: %s\n", taos_errstr(res));
    return 1;
  }
  long rows = 0;
  int64_t sum = 0;
  size_t text = 0;
  TAOS_ROW cols;
  int n;
  while ((n = taos_fetch_block(res, &cols)) > 0) {
    const int32_t *v = (const int32_t *)cols[1];
    int *offsets = taos_get_column_data_offset(res, 3);
    for (int i = 0; i < n; i++) {
      sum += v[i];
      if (offsets[i] >= 0) {
        uint16_t len;
        memcpy(&len, (const char *)cols[3] + offsets[i], sizeof len);
        text += len;
      }
    }
    rows += n;
  }
  int code = taos_errno(res);
  taos_free_result(res);
  double wall = now_s() - t0;
  double cpu = cpu_s() - c0;
  taos_close(taos);
  if (n < 0 || code != 0) {
    fprintf(stderr, "fetch failed: %d\n", n < 0 ? n : code);
    return 1;
  }
  printf("C taos_fetch_block: %ld rows in %.3f s = %.0f rows/s; client CPU %.1f ns/row "
         "(checksum %" PRId64 ", %zu text bytes)\n",
         rows, wall, rows / wall, cpu * 1e9 / (double)rows, sum, text);
  return 0;
}

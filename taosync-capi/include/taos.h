/*
 * taos.h for taosync's libtaos.so: TDengine's C client API, implemented over WebSocket
 * on taosync (crate taosync-capi). Written for this project from the documented API;
 * struct layouts match TDengine's public header so existing programs and bindings work.
 *
 * Connection target: taos_connect(host, user, pass, db, port) reaches taosAdapter at
 * ws://host:port (port 0 -> 6041). Set TAOSYNC_DSN to a full taosync DSN (wss://, token,
 * timeouts, several hosts) to override; non-NULL user/pass/db arguments still apply.
 *
 * Handles are checked: NULL, freed, closed or wrong-kind handles give error codes.
 * Pointers returned by fetch functions stay valid until the next fetch on the same
 * result or taos_free_result. As in libtaos, they point into the result block as the
 * server sent it (NCHAR, JSON and DECIMAL are converted, NCHAR to UTF-8): a VARCHAR,
 * VARBINARY or BLOB value of taos_fetch_row is taos_fetch_lengths()[i] bytes, not
 * NUL-terminated.
 */
#ifndef TAOSYNC_TAOS_H
#define TAOSYNC_TAOS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void TAOS;
typedef void TAOS_RES;
typedef void TAOS_STMT;
typedef void **TAOS_ROW;

/* Column type codes. */
#define TSDB_DATA_TYPE_NULL 0
#define TSDB_DATA_TYPE_BOOL 1
#define TSDB_DATA_TYPE_TINYINT 2
#define TSDB_DATA_TYPE_SMALLINT 3
#define TSDB_DATA_TYPE_INT 4
#define TSDB_DATA_TYPE_BIGINT 5
#define TSDB_DATA_TYPE_FLOAT 6
#define TSDB_DATA_TYPE_DOUBLE 7
#define TSDB_DATA_TYPE_VARCHAR 8
#define TSDB_DATA_TYPE_BINARY TSDB_DATA_TYPE_VARCHAR
#define TSDB_DATA_TYPE_TIMESTAMP 9
#define TSDB_DATA_TYPE_NCHAR 10
#define TSDB_DATA_TYPE_UTINYINT 11
#define TSDB_DATA_TYPE_USMALLINT 12
#define TSDB_DATA_TYPE_UINT 13
#define TSDB_DATA_TYPE_UBIGINT 14
#define TSDB_DATA_TYPE_JSON 15
#define TSDB_DATA_TYPE_VARBINARY 16
#define TSDB_DATA_TYPE_DECIMAL 17
#define TSDB_DATA_TYPE_BLOB 18
#define TSDB_DATA_TYPE_GEOMETRY 20
#define TSDB_DATA_TYPE_DECIMAL64 21

/* Timestamp precision of a result (taos_result_precision). */
#define TSDB_TIME_PRECISION_MILLI 0
#define TSDB_TIME_PRECISION_MICRO 1
#define TSDB_TIME_PRECISION_NANO 2

typedef enum {
  TSDB_OPTION_LOCALE,
  TSDB_OPTION_CHARSET,
  TSDB_OPTION_TIMEZONE,
  TSDB_OPTION_CONFIGDIR,
  TSDB_OPTION_SHELL_ACTIVITY_TIMER,
  TSDB_OPTION_USE_ADAPTER,
  TSDB_MAX_OPTIONS
} TSDB_OPTION;

/* A result column. */
typedef struct taosField {
  char name[65];
  int8_t type;
  int32_t bytes;
} TAOS_FIELD;

/* A result column with DECIMAL precision and scale. */
typedef struct TAOS_FIELD_E {
  char name[65];
  int8_t type;
  uint8_t precision;
  uint8_t scale;
  int32_t bytes;
} TAOS_FIELD_E;

typedef void (*__taos_async_fn_t)(void *param, TAOS_RES *res, int code);

/* What a statement placeholder binds (TAOS_FIELD_ALL.field_type). */
typedef enum TAOS_FIELD_T {
  TAOS_FIELD_COL = 1,
  TAOS_FIELD_TAG,
  TAOS_FIELD_QUERY,
  TAOS_FIELD_TBNAME,
} TAOS_FIELD_T;

/* One placeholder of a prepared stmt2 INSERT. */
typedef struct TAOS_FIELD_ALL {
  char name[65];
  int8_t type;
  uint8_t precision;
  uint8_t scale;
  int32_t bytes;
  uint8_t field_type;
} TAOS_FIELD_ALL;

/* One column (or tag) of num rows for stmt v1: fixed-width types as arrays of num values;
 * variable types with row i at buffer + i * buffer_length, length[i] bytes. */
typedef struct TAOS_MULTI_BIND {
  int buffer_type;
  void *buffer;
  uintptr_t buffer_length;
  int32_t *length;
  char *is_null;
  int num;
} TAOS_MULTI_BIND;

typedef struct TAOS_STMT_OPTIONS {
  int64_t reqId;
  bool singleStbInsert;
  bool singleTableBindOnce;
} TAOS_STMT_OPTIONS;

typedef void TAOS_STMT2;

/* Options of taos_stmt2_init; with asyncExecFn set, taos_stmt2_exec returns at once and
 * asyncExecFn(userdata, res, code) is called from a thread of the library. */
typedef struct TAOS_STMT2_OPTION {
  int64_t reqid;
  bool singleStbInsert;
  bool singleTableBindOnce;
  __taos_async_fn_t asyncExecFn;
  void *userdata;
} TAOS_STMT2_OPTION;

/* One column (or tag) of num rows: fixed-width types as arrays of num values; variable
 * types as the non-NULL values back to back with length[i] bytes each. is_null may be NULL. */
typedef struct TAOS_STMT2_BIND {
  int buffer_type;
  void *buffer;
  int32_t *length;
  char *is_null;
  int num;
} TAOS_STMT2_BIND;

/* The binds of count tables: tbnames[count], tags[count][tag placeholders],
 * bind_cols[count][column placeholders]; each of the three may be NULL. */
typedef struct TAOS_STMT2_BINDV {
  int count;
  char **tbnames;
  TAOS_STMT2_BIND **tags;
  TAOS_STMT2_BIND **bind_cols;
} TAOS_STMT2_BINDV;

/* Library and connections. */
int taos_init(void);
void taos_cleanup(void);
int taos_options(TSDB_OPTION option, const void *arg, ...);
TAOS *taos_connect(const char *ip, const char *user, const char *pass, const char *db, uint16_t port);
TAOS *taos_connect_auth(const char *ip, const char *user, const char *auth, const char *db, uint16_t port);
void taos_close(TAOS *taos);
const char *taos_get_server_info(TAOS *taos);
const char *taos_get_client_info(void);
int taos_select_db(TAOS *taos, const char *db);
int taos_get_current_db(TAOS *taos, char *database, int len, int *required);
int taos_validate_sql(TAOS *taos, const char *sql);

/* Queries and results. */
TAOS_RES *taos_query(TAOS *taos, const char *sql);
TAOS_RES *taos_query_with_reqid(TAOS *taos, const char *sql, int64_t reqId);
void taos_query_a(TAOS *taos, const char *sql, __taos_async_fn_t fp, void *param);
void taos_query_a_with_reqid(TAOS *taos, const char *sql, __taos_async_fn_t fp, void *param, int64_t reqid);
void taos_fetch_rows_a(TAOS_RES *res, __taos_async_fn_t fp, void *param);
void taos_free_result(TAOS_RES *res);
int taos_errno(TAOS_RES *res);
const char *taos_errstr(TAOS_RES *res);
int taos_field_count(TAOS_RES *res);
int taos_num_fields(TAOS_RES *res);
int taos_affected_rows(TAOS_RES *res);
int64_t taos_affected_rows64(TAOS_RES *res);
TAOS_FIELD *taos_fetch_fields(TAOS_RES *res);
TAOS_FIELD_E *taos_fetch_fields_e(TAOS_RES *res);
int taos_result_precision(TAOS_RES *res);
bool taos_is_update_query(TAOS_RES *res);
void taos_stop_query(TAOS_RES *res);
TAOS_ROW taos_fetch_row(TAOS_RES *res);
int taos_fetch_block(TAOS_RES *res, TAOS_ROW *rows);
int taos_fetch_raw_block(TAOS_RES *res, int *numOfRows, void **pData);
int *taos_fetch_lengths(TAOS_RES *res);
bool taos_is_null(TAOS_RES *res, int32_t row, int32_t col);
int taos_is_null_by_column(TAOS_RES *res, int columnIndex, bool result[], int *rows);
int *taos_get_column_data_offset(TAOS_RES *res, int columnIndex);
int taos_print_row(char *str, TAOS_ROW row, TAOS_FIELD *fields, int num_fields);

/* stmt v1 (implemented over the stmt2 wire protocol: taosAdapter >= 3.3.5). The result of
 * taos_stmt_use_result belongs to the statement (freed by the next prepare, execute or
 * taos_stmt_close); field arrays go back through taos_stmt_reclaim_fields. */
TAOS_STMT *taos_stmt_init(TAOS *taos);
TAOS_STMT *taos_stmt_init_with_reqid(TAOS *taos, int64_t reqid);
TAOS_STMT *taos_stmt_init_with_options(TAOS *taos, TAOS_STMT_OPTIONS *options);
int taos_stmt_prepare(TAOS_STMT *stmt, const char *sql, unsigned long length);
int taos_stmt_set_tbname_tags(TAOS_STMT *stmt, const char *name, TAOS_MULTI_BIND *tags);
int taos_stmt_set_tbname(TAOS_STMT *stmt, const char *name);
int taos_stmt_set_tags(TAOS_STMT *stmt, TAOS_MULTI_BIND *tags);
int taos_stmt_set_sub_tbname(TAOS_STMT *stmt, const char *name);
int taos_stmt_get_tag_fields(TAOS_STMT *stmt, int *fieldNum, TAOS_FIELD_E **fields);
int taos_stmt_get_col_fields(TAOS_STMT *stmt, int *fieldNum, TAOS_FIELD_E **fields);
void taos_stmt_reclaim_fields(TAOS_STMT *stmt, TAOS_FIELD_E *fields);
int taos_stmt_is_insert(TAOS_STMT *stmt, int *insert);
int taos_stmt_num_params(TAOS_STMT *stmt, int *nums);
int taos_stmt_get_param(TAOS_STMT *stmt, int idx, int *type, int *bytes);
int taos_stmt_bind_param(TAOS_STMT *stmt, TAOS_MULTI_BIND *bind);
int taos_stmt_bind_param_batch(TAOS_STMT *stmt, TAOS_MULTI_BIND *bind);
int taos_stmt_bind_single_param_batch(TAOS_STMT *stmt, TAOS_MULTI_BIND *bind, int colIdx);
int taos_stmt_add_batch(TAOS_STMT *stmt);
int taos_stmt_execute(TAOS_STMT *stmt);
TAOS_RES *taos_stmt_use_result(TAOS_STMT *stmt);
int taos_stmt_close(TAOS_STMT *stmt);
char *taos_stmt_errstr(TAOS_STMT *stmt);
int taos_stmt_affected_rows(TAOS_STMT *stmt);
int taos_stmt_affected_rows_once(TAOS_STMT *stmt);

/* stmt2. Results of taos_stmt2_result belong to the statement (freed by the next exec or
 * taos_stmt2_close); arrays of taos_stmt2_get_fields are freed by taos_stmt2_free_fields. */
TAOS_STMT2 *taos_stmt2_init(TAOS *taos, TAOS_STMT2_OPTION *option);
int taos_stmt2_prepare(TAOS_STMT2 *stmt, const char *sql, unsigned long length);
int taos_stmt2_bind_param(TAOS_STMT2 *stmt, TAOS_STMT2_BINDV *bindv, int32_t col_idx);
int taos_stmt2_exec(TAOS_STMT2 *stmt, int *affected_rows);
int taos_stmt2_close(TAOS_STMT2 *stmt);
int taos_stmt2_is_insert(TAOS_STMT2 *stmt, int *insert);
int taos_stmt2_get_fields(TAOS_STMT2 *stmt, int *count, TAOS_FIELD_ALL **fields);
void taos_stmt2_free_fields(TAOS_STMT2 *stmt, TAOS_FIELD_ALL *fields);
TAOS_RES *taos_stmt2_result(TAOS_STMT2 *stmt);
char *taos_stmt2_error(TAOS_STMT2 *stmt);

#ifdef __cplusplus
}
#endif

#endif /* TAOSYNC_TAOS_H */

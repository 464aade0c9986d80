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

/* TMQ (data subscription) over taosAdapter's /rest/tmq. A message of tmq_consumer_poll is a
 * TAOS_RES* read with the result functions: each taos_fetch_block / taos_fetch_raw_block
 * reads the next block (one table); taos_fetch_fields, taos_num_fields,
 * taos_result_precision and tmq_get_table_name describe the block last fetched (fields: the
 * first block before any fetch). Free it with taos_free_result. enable.auto.commit defaults
 * to true, as in libtaos. tmq_commit_sync(tmq, NULL) commits every position reached.
 * Async callbacks run on a thread of the library (inline when the arguments are bad).
 * tmq_committed / tmq_position return a negative code when there is no offset
 * (0x80004011). Arrays and strings handed out are freed by their tmq_free_* function. */
typedef struct tmq_t tmq_t;
typedef struct tmq_conf_t tmq_conf_t;
typedef struct tmq_list_t tmq_list_t;

typedef void(tmq_commit_cb(tmq_t *tmq, int32_t code, void *param));

typedef enum tmq_conf_res_t {
  TMQ_CONF_UNKNOWN = -2,
  TMQ_CONF_INVALID = -1,
  TMQ_CONF_OK = 0,
} tmq_conf_res_t;

typedef enum tmq_res_t {
  TMQ_RES_INVALID = -1,
  TMQ_RES_DATA = 1,
  TMQ_RES_TABLE_META = 2,
  TMQ_RES_METADATA = 3
} tmq_res_t;

/* 32 bytes: 4 bytes of padding after vgId. */
typedef struct tmq_topic_assignment {
  int32_t vgId;
  int64_t currentOffset;
  int64_t begin;
  int64_t end;
} tmq_topic_assignment;

tmq_conf_t *tmq_conf_new(void);
tmq_conf_res_t tmq_conf_set(tmq_conf_t *conf, const char *key, const char *value);
void tmq_conf_destroy(tmq_conf_t *conf);
void tmq_conf_set_auto_commit_cb(tmq_conf_t *conf, tmq_commit_cb *cb, void *param);

tmq_list_t *tmq_list_new(void);
int32_t tmq_list_append(tmq_list_t *list, const char *topic);
void tmq_list_destroy(tmq_list_t *list);
int32_t tmq_list_get_size(const tmq_list_t *list);
char **tmq_list_to_c_array(const tmq_list_t *list);

tmq_t *tmq_consumer_new(tmq_conf_t *conf, char *errstr, int32_t errstrLen);
int32_t tmq_subscribe(tmq_t *tmq, const tmq_list_t *topic_list);
int32_t tmq_unsubscribe(tmq_t *tmq);
int32_t tmq_subscription(tmq_t *tmq, tmq_list_t **topics);
TAOS_RES *tmq_consumer_poll(tmq_t *tmq, int64_t timeout);
int32_t tmq_consumer_close(tmq_t *tmq);
int32_t tmq_commit_sync(tmq_t *tmq, const TAOS_RES *msg);
void tmq_commit_async(tmq_t *tmq, const TAOS_RES *msg, tmq_commit_cb *cb, void *param);
int32_t tmq_commit_offset_sync(tmq_t *tmq, const char *pTopicName, int32_t vgId, int64_t offset);
void tmq_commit_offset_async(tmq_t *tmq, const char *pTopicName, int32_t vgId, int64_t offset,
                             tmq_commit_cb *cb, void *param);
int32_t tmq_get_topic_assignment(tmq_t *tmq, const char *pTopicName, tmq_topic_assignment **assignment,
                                 int32_t *numOfAssignment);
void tmq_free_assignment(tmq_topic_assignment *pAssignment);
int32_t tmq_offset_seek(tmq_t *tmq, const char *pTopicName, int32_t vgId, int64_t offset);
int64_t tmq_position(tmq_t *tmq, const char *pTopicName, int32_t vgId);
int64_t tmq_committed(tmq_t *tmq, const char *pTopicName, int32_t vgId);

/* The connection belongs to the consumer (closed by tmq_consumer_close). */
TAOS *tmq_get_connect(tmq_t *tmq);
const char *tmq_get_table_name(TAOS_RES *res);
tmq_res_t tmq_get_res_type(TAOS_RES *res);
const char *tmq_get_topic_name(TAOS_RES *res);
const char *tmq_get_db_name(TAOS_RES *res);
int32_t tmq_get_vgroup_id(TAOS_RES *res);
int64_t tmq_get_vgroup_offset(TAOS_RES *res);
const char *tmq_err2str(int32_t code);

/* Raw meta (meta messages only over WebSocket) and JSON meta. */
typedef struct tmq_raw_data {
  void *raw;
  uint32_t raw_len;
  uint16_t raw_type;
} tmq_raw_data;

int32_t tmq_get_raw(TAOS_RES *res, tmq_raw_data *raw);
int32_t tmq_write_raw(TAOS *taos, tmq_raw_data raw);
void tmq_free_raw(tmq_raw_data raw);
char *tmq_get_json_meta(TAOS_RES *res);
void tmq_free_json_meta(char *jsonMeta);

#ifdef __cplusplus
}
#endif

#endif /* TAOSYNC_TAOS_H */

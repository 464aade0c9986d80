"""What the two native-module interop scripts (test_native_taos.py, test_native_tmq.py)
share: the all-types table they create, SQL literals and timestamp ticks."""

import datetime

UTC = datetime.timezone.utc

COLUMNS = [
    ("ts", "TIMESTAMP"),
    ("c_bool", "BOOL"),
    ("c_tiny", "TINYINT"),
    ("c_small", "SMALLINT"),
    ("c_int", "INT"),
    ("c_big", "BIGINT"),
    ("c_utiny", "TINYINT UNSIGNED"),
    ("c_usmall", "SMALLINT UNSIGNED"),
    ("c_uint", "INT UNSIGNED"),
    ("c_ubig", "BIGINT UNSIGNED"),
    ("c_float", "FLOAT"),
    ("c_double", "DOUBLE"),
    ("c_bin", "VARCHAR(20)"),
    ("c_nchar", "NCHAR(20)"),
    ("c_vbin", "VARBINARY(20)"),
]


def literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, bytes):
        return "'\\x" + v.hex() + "'" if v else "''"
    if isinstance(v, str):
        return "'" + v + "'"
    return repr(v)


def ticks(v, per_second):
    """taospy gives datetimes for ms/us and raw integers for ns (without pandas)."""
    if isinstance(v, datetime.datetime):
        v = v.replace(tzinfo=v.tzinfo or UTC)
        delta = v - datetime.datetime(1970, 1, 1, tzinfo=UTC)
        return (delta.days * 86400 + delta.seconds) * per_second + delta.microseconds * per_second // 1000_000
    return v

//! Insert and read back one row of every common TDengine type, over both transports, and
//! print each column's type code and value.

use taosync::{Decimal, Precision, Timestamp, Value, params};
use taosync_server::{Server, ServerConfig, ServerHandle};

fn targets() -> taosync::Result<(Vec<String>, Option<ServerHandle>)> {
    match std::env::var("TDENGINE_DSN") {
        Ok(dsn) => Ok((vec![dsn], None)),
        Err(_) => {
            let server = Server::start(ServerConfig::new())?;
            Ok((vec![server.dsn_ws(), server.dsn_rest()], Some(server)))
        }
    }
}

fn point_wkb(x: f64, y: f64) -> Vec<u8> {
    let mut wkb = vec![1, 1, 0, 0, 0];
    wkb.extend_from_slice(&x.to_le_bytes());
    wkb.extend_from_slice(&y.to_le_bytes());
    wkb
}

fn main() -> taosync::Result<()> {
    let (dsns, _server) = targets()?;
    for dsn in dsns {
        let conn = taosync::connect(dsn.as_str())?;
        println!("== {}", conn.options());
        conn.execute("drop database if exists all_types", ())?;
        conn.execute("create database all_types precision 'ns'", ())?;
        conn.select_db("all_types")?;
        conn.execute("create table t (ts timestamp, c_bool bool, c_tiny tinyint, c_small smallint, c_int int, \
             c_big bigint, c_utiny tinyint unsigned, c_usmall smallint unsigned, c_uint int unsigned, \
             c_ubig bigint unsigned, c_float float, c_double double, c_varchar varchar(32), \
             c_nchar nchar(16), c_varbinary varbinary(16), c_geometry geometry(64), c_decimal decimal(20,4))", ())?;
        let row = params![
            Timestamp::new(1_700_000_000_123_456_789, Precision::Nanosecond),
            true,
            -8i8,
            -16i16,
            -32i32,
            -64i64,
            8u8,
            16u16,
            32u32,
            u64::MAX,
            1.5f32,
            2.25f64,
            "varchar 'quoted'",
            "nchar 涛思数据",
            vec![0xde_u8, 0xad, 0xbe, 0xef],
            Value::Geometry(point_wkb(1.0, 2.0)),
            "4467440737095516.1230".parse::<Decimal>()?
        ];
        conn.execute(
            "insert into t values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )?;
        conn.execute("insert into t (ts) values (1700000000123456790)", ())?;
        let mut cur = conn.cursor()?;
        cur.execute("select * from t order by ts", ())?;
        let description = cur.description().map(<[_]>::to_vec).unwrap_or_default();
        for (i, row) in cur.fetchall()?.into_iter().enumerate() {
            println!("-- row {i}");
            for (d, v) in description.iter().zip(row.values()) {
                println!("{:<12} {:<18} {v:?}", d.name, d.type_code.to_string());
            }
        }
        conn.execute("drop database all_types", ())?;
    }
    Ok(())
}

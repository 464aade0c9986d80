//! `taosync-server`: the embedded in-memory taosAdapter-compatible server as a program.
//!
//! ```text
//! taosync-server [--port 6041] [--version 3.3.6.0] [--tz UTC] [--user name:password]...
//! ```
//!
//! It prints `taosync-server listening on 127.0.0.1:PORT` once it accepts connections and
//! runs until it is killed (Ctrl-C, SIGTERM). Data lives in memory only.

use std::io::Write as _;
use std::process::ExitCode;

use taosync::server::{Server, ServerConfig};

const USAGE: &str =
    "usage: taosync-server [--port N] [--version X.Y.Z.W] [--tz ZONE] [--user NAME:PASSWORD]...

  --port N             port on 127.0.0.1 (default 6041; 0 picks a free one)
  --version V          version to report (default 3.3.6.0; 3.3.1.0 makes clients use JSON fetch)
  --tz ZONE            server time zone, an IANA name (default: $TZ, else UTC)
  --user NAME:PASSWORD add a user (root:taosdata always exists unless overridden)";

fn parse(args: &[String]) -> Result<ServerConfig, String> {
    let mut config = ServerConfig::new().port(6041);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        config = match flag.as_str() {
            "--port" => {
                let v = value("--port")?;
                config.port(v.parse().map_err(|_| format!("invalid port {v:?}"))?)
            }
            "--version" => config.version(value("--version")?),
            "--tz" => {
                let v = value("--tz")?;
                config.timezone(v.parse().map_err(|_| format!("unknown time zone {v:?}"))?)
            }
            "--user" => {
                let v = value("--user")?;
                let (user, password) = v
                    .split_once(':')
                    .filter(|(u, p)| !u.is_empty() && !p.is_empty())
                    .ok_or_else(|| format!("--user wants NAME:PASSWORD, got {v:?}"))?;
                config.user(user, password)
            }
            other => return Err(format!("unknown argument {other:?}")),
        };
    }
    Ok(config)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let config = match parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("taosync-server: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let server = match Server::start(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("taosync-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("taosync-server listening on {}", server.addr());
    let _ = std::io::stdout().flush();
    // Serve until the process is killed; the handle stays alive for the whole run.
    loop {
        std::thread::park();
    }
}

//! `taosync-server`: the embedded in-memory taosAdapter-compatible server as a program.
//!
//! ```text
//! taosync-server [--port 6041] [--version 3.3.6.0] [--tz UTC] [--user name:password]...
//!                [--tls-cert cert.pem --tls-key key.pem] [--http-code-server-error]
//! ```
//!
//! It prints `taosync-server listening on 127.0.0.1:PORT` once it accepts connections and
//! runs until it is killed (Ctrl-C, SIGTERM). Data lives in memory only.

use std::io::Write as _;
use std::process::ExitCode;

use taosync_server::{Server, ServerConfig};

const USAGE: &str =
    "usage: taosync-server [--port N] [--version X.Y.Z.W] [--tz ZONE] [--user NAME:PASSWORD]...
                      [--tls-cert CERT.pem --tls-key KEY.pem] [--http-code-server-error]

  --port N             port on 127.0.0.1 (default 6041; 0 picks a free one)
  --version V          version to report (default 3.3.6.0; 3.3.1.0 makes clients use JSON fetch)
  --tz ZONE            server time zone, an IANA name (default: $TZ, else /etc/localtime, else UTC)
  --user NAME:PASSWORD add a user (root:taosdata always exists unless overridden)
  --tls-cert FILE      PEM certificate chain: serve https:// and wss:// (needs --tls-key)
  --tls-key FILE       PEM PKCS#8 private key for --tls-cert
  --http-code-server-error
                       answer REST engine errors with HTTP 4xx/5xx instead of 200";

fn parse(args: &[String]) -> Result<ServerConfig, String> {
    let mut config = ServerConfig::new().port(6041);
    let (mut cert, mut key) = (None, None);
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
            "--tls-cert" => {
                cert = Some(value("--tls-cert")?);
                config
            }
            "--tls-key" => {
                key = Some(value("--tls-key")?);
                config
            }
            "--http-code-server-error" => config.http_code_server_error(true),
            other => return Err(format!("unknown argument {other:?}")),
        };
    }
    match (cert, key) {
        (None, None) => Ok(config),
        (Some(cert), Some(key)) => {
            let read =
                |path: &str| std::fs::read(path).map_err(|e| format!("cannot read {path:?}: {e}"));
            config
                .tls_pem(&read(&cert)?, &read(&key)?)
                .map_err(|e| e.to_string())
        }
        _ => Err("--tls-cert and --tls-key go together".to_owned()),
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_flags() {
        let c = parse(&args(&[
            "--port",
            "0",
            "--version",
            "3.3.1.0",
            "--tz",
            "Asia/Shanghai",
            "--user",
            "u:p",
        ]))
        .unwrap();
        assert_eq!(c.reported_version(), "3.3.1.0");
        assert_eq!(c.server_timezone(), chrono_tz::Tz::Asia__Shanghai);
        assert!(c.users().contains(&("u".to_owned(), "p".to_owned())));
        assert!(
            c.users()
                .contains(&("root".to_owned(), "taosdata".to_owned()))
        );
    }

    #[test]
    fn rejects_bad_flags() {
        for bad in [
            &["--port"][..],
            &["--port", "x"],
            &["--tz", "Mars/Base"],
            &["--user", "nopassword"],
            &["--user", ":p"],
            &["--tls-cert", "c.pem"],
            &["--frobnicate"],
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad:?}");
        }
    }
}

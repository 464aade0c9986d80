//! What the benchmark examples measure about a process, from Linux's `/proc` (zero
//! elsewhere). Included by each of them with `#[path = "support/measure.rs"] mod measure;`;
//! not every example uses every function.
#![allow(dead_code)]

use std::time::Duration;

/// User + system CPU time of process `pid` (`"self"` for this one): fields 14 and 15 of
/// `/proc/<pid>/stat`, in ticks of 10 ms (USER_HZ is 100 on Linux).
pub fn proc_cpu(pid: &str) -> Duration {
    let ticks = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // The name in parentheses may hold spaces; the fields after it are numbered
            // from 3.
            let after = s.rsplit_once(')')?.1.to_owned();
            let f: Vec<&str> = after.split_whitespace().collect();
            let field = |n: usize| f.get(n - 3)?.parse::<u64>().ok();
            Some(field(14)? + field(15)?)
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// This process's CPU time so far, to the nanosecond: the on-CPU time of each of its
/// threads (`/proc/self/task/*/schedstat`, first field), as precise as the `getrusage`
/// that the Python side reads. Threads that already ended are not counted (the examples do
/// their work on the calling thread). Falls back to [`proc_cpu`]'s 10 ms ticks where
/// schedstat is missing.
pub fn cpu_time() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return proc_cpu("self");
    };
    let mut ns: u64 = 0;
    for task in tasks.flatten() {
        let Some(on_cpu) = std::fs::read_to_string(task.path().join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        else {
            return proc_cpu("self");
        };
        ns += on_cpu;
    }
    Duration::from_nanos(ns)
}

/// A field of `/proc/self/status` in KiB (`"VmRSS:"`, `"VmHWM:"`).
pub fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// This process's peak resident set size in MiB.
pub fn peak_rss_mib() -> f64 {
    status_kib("VmHWM:") as f64 / 1024.0
}

use chrono::{DateTime, Offset as _, TimeZone as _};
use proptest::prelude::*;

use super::posix::Posix;
use super::tzif::Tzif;
use super::*;

// ---------------------------------------------------------------------------------------
// Handcrafted TZif files
// ---------------------------------------------------------------------------------------

/// One data block's contents.
#[derive(Clone)]
struct Block {
    times: Vec<i64>,
    indices: Vec<u8>,
    /// (utoff, isdst, abbrind)
    types: Vec<(i32, u8, u8)>,
    chars: Vec<u8>,
    leaps: usize,
    indicators: bool,
}

/// Raw counts written into a header (normally the block's own).
struct Counts([u32; 6]);

impl Block {
    fn counts(&self) -> Counts {
        let n = if self.indicators { self.types.len() } else { 0 } as u32;
        Counts([
            n,
            n,
            self.leaps as u32,
            self.times.len() as u32,
            self.types.len() as u32,
            self.chars.len() as u32,
        ])
    }

    fn write(&self, out: &mut Vec<u8>, time_size: usize) {
        for t in &self.times {
            if time_size == 4 {
                out.extend_from_slice(&(*t as i32).to_be_bytes());
            } else {
                out.extend_from_slice(&t.to_be_bytes());
            }
        }
        out.extend_from_slice(&self.indices);
        for (utoff, isdst, abbrind) in &self.types {
            out.extend_from_slice(&utoff.to_be_bytes());
            out.push(*isdst);
            out.push(*abbrind);
        }
        out.extend_from_slice(&self.chars);
        for i in 0..self.leaps {
            out.extend_from_slice(&vec![0; time_size]);
            out.extend_from_slice(&(i as i32 + 1).to_be_bytes());
        }
        if self.indicators {
            out.extend(std::iter::repeat_n(0, 2 * self.types.len()));
        }
    }
}

fn header(out: &mut Vec<u8>, version: u8, counts: &Counts) {
    out.extend_from_slice(b"TZif");
    out.push(version);
    out.extend_from_slice(&[0; 15]);
    for c in counts.0 {
        out.extend_from_slice(&c.to_be_bytes());
    }
}

/// A v2 file: a v1 block with the same data (32-bit), then the v2 block and `footer`.
fn v2_file(block: &Block, counts: Counts, footer: &str) -> Vec<u8> {
    let mut out = Vec::new();
    header(&mut out, b'2', &block.counts());
    block.write(&mut out, 4);
    header(&mut out, b'2', &counts);
    block.write(&mut out, 8);
    out.push(b'\n');
    out.extend_from_slice(footer.as_bytes());
    out.push(b'\n');
    out
}

// 2024-03-31T01:00:00Z and 2024-10-27T01:00:00Z: the EU switches of 2024.
const SPRING_2024: i64 = 1_711_846_800;
const AUTUMN_2024: i64 = 1_729_990_800;

/// A Central European zone: LMT, then CET/CEST with the two 2024 switches, then the EU
/// rule as the footer.
fn cet_block() -> Block {
    Block {
        times: vec![-1_000_000_000, SPRING_2024, AUTUMN_2024],
        indices: vec![1, 2, 1],
        types: vec![(3208, 0, 0), (3600, 0, 4), (7200, 1, 8)],
        chars: b"LMT\0CET\0CEST\0".to_vec(),
        leaps: 0,
        indicators: true,
    }
}

fn cet_file() -> Vec<u8> {
    let b = cet_block();
    v2_file(&b, b.counts(), "CET-1CEST,M3.5.0,M10.5.0/3")
}

fn zone_of(bytes: &[u8]) -> Zone {
    match Tzif::parse(bytes) {
        Ok(tzif) => Zone::new("Test/Zone", Rules::Tzif(tzif)),
        Err(e) => panic!("handcrafted file rejected: {e}"),
    }
}

fn utoff(zone: &Zone, t: i64) -> i32 {
    zone.span_at(t).utoff
}

fn local_offsets(zone: &Zone, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> LocalResult<i32> {
    let naive = NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|d| d.and_hms_opt(h, mi, 0))
        .unwrap();
    zone.offset_from_local_datetime(&naive)
        .map(|o| o.fix().local_minus_utc())
}

#[test]
fn handcrafted_v2_file_transitions_and_footer() {
    let zone = zone_of(&cet_file());
    // Before the first transition: type 0 (LMT).
    assert_eq!(utoff(&zone, -3_000_000_000), 3208);
    assert_eq!(zone.span_at(-3_000_000_000).abbr.as_str(), Some("LMT"));
    assert_eq!(utoff(&zone, 0), 3600);
    assert_eq!(utoff(&zone, SPRING_2024 - 1), 3600);
    assert_eq!(utoff(&zone, SPRING_2024), 7200);
    assert!(zone.span_at(SPRING_2024).dst);
    assert_eq!(utoff(&zone, AUTUMN_2024 - 1), 7200);
    assert_eq!(utoff(&zone, AUTUMN_2024), 3600);
    // After the last transition the footer rule applies: 2030-03-31T01:00:00Z is the
    // switch to CEST, 2030-10-27T01:00:00Z back.
    assert_eq!(utoff(&zone, 1_901_149_200 - 1), 3600);
    assert_eq!(utoff(&zone, 1_901_149_200), 7200);
    assert_eq!(zone.span_at(1_901_149_200).abbr.as_str(), Some("CEST"));
    assert_eq!(utoff(&zone, 1_919_293_200 - 1), 7200);
    assert_eq!(utoff(&zone, 1_919_293_200), 3600);

    let dt = zone.timestamp_opt(SPRING_2024, 0).unwrap();
    assert_eq!(dt.to_rfc3339(), "2024-03-31T03:00:00+02:00");
    assert_eq!(dt.offset().to_string(), "CEST");
    assert_eq!(format!("{:?}", dt.offset()), "CEST");
    assert_eq!(dt.to_string(), "2024-03-31 03:00:00 CEST");
}

#[test]
fn local_times_in_gaps_and_folds() {
    let zone = zone_of(&cet_file());
    // 2024: from the table; 2031: from the footer (March 30, October 26).
    for (y, spring, autumn) in [(2024, 31, 27), (2031, 30, 26)] {
        assert_eq!(
            local_offsets(&zone, y, 3, spring, 1, 59),
            LocalResult::Single(3600)
        );
        assert_eq!(local_offsets(&zone, y, 3, spring, 2, 30), LocalResult::None);
        assert_eq!(
            local_offsets(&zone, y, 3, spring, 3, 0),
            LocalResult::Single(7200)
        );
        assert_eq!(
            local_offsets(&zone, y, 10, autumn, 1, 59),
            LocalResult::Single(7200)
        );
        assert_eq!(
            local_offsets(&zone, y, 10, autumn, 2, 30),
            LocalResult::Ambiguous(7200, 3600)
        );
        assert_eq!(
            local_offsets(&zone, y, 10, autumn, 3, 0),
            LocalResult::Single(3600)
        );
    }
    // chrono on top: an ambiguous local time gives both instants, earliest first.
    let both = zone.with_ymd_and_hms(2024, 10, 27, 2, 30, 0);
    let (a, b) = match both {
        LocalResult::Ambiguous(a, b) => (a, b),
        other => panic!("{other:?}"),
    };
    assert_eq!(b.timestamp() - a.timestamp(), 3600);
    assert!(
        zone.with_ymd_and_hms(2024, 3, 31, 2, 30, 0)
            .single()
            .is_none()
    );
    // Adding across a transition keeps the zone: the offset changes.
    let before = zone.timestamp_opt(SPRING_2024 - 60, 0).unwrap();
    let after = before.clone() + chrono::TimeDelta::minutes(2);
    assert_eq!(after.to_rfc3339(), "2024-03-31T03:01:00+02:00");
    assert_eq!(after.timezone(), zone);
}

#[test]
fn v1_only_and_other_versions() {
    let b = cet_block();
    let mut v1 = Vec::new();
    header(&mut v1, 0, &b.counts());
    b.write(&mut v1, 4);
    let zone = zone_of(&v1);
    assert_eq!(utoff(&zone, SPRING_2024), 7200);
    // No footer in v1: the last type goes on forever.
    assert_eq!(utoff(&zone, 1_901_149_200), 3600);

    for version in [b'3', b'4'] {
        let mut file = cet_file();
        file[4] = version;
        let zone = zone_of(&file);
        assert_eq!(utoff(&zone, 1_901_149_200), 7200);
    }
    // An empty footer: the last type applies after the last transition.
    let zone = zone_of(&v2_file(&b, b.counts(), ""));
    assert_eq!(utoff(&zone, 1_901_149_200), 3600);
    // Leap-second records and no indicators are fine.
    let mut leaps = cet_block();
    leaps.leaps = 3;
    leaps.indicators = false;
    let zone = zone_of(&v2_file(
        &leaps,
        leaps.counts(),
        "CET-1CEST,M3.5.0,M10.5.0/3",
    ));
    assert_eq!(utoff(&zone, 1_901_149_200), 7200);
    // No transitions: the footer rule applies to all instants.
    let empty = Block {
        times: vec![],
        indices: vec![],
        ..cet_block()
    };
    let zone = zone_of(&v2_file(
        &empty,
        empty.counts(),
        "CET-1CEST,M3.5.0,M10.5.0/3",
    ));
    assert_eq!(utoff(&zone, SPRING_2024), 7200);
    assert_eq!(utoff(&zone, AUTUMN_2024), 3600);
}

fn rejected(bytes: &[u8]) -> String {
    match Tzif::parse(bytes) {
        Ok(t) => panic!("accepted: {t:?}"),
        Err(e) => {
            assert_eq!(e.kind(), crate::ErrorKind::Interface);
            e.message().to_owned()
        }
    }
}

#[test]
fn hostile_files_are_errors() {
    let good = cet_file();
    // Every truncation.
    for len in 0..good.len() - 1 {
        let msg = rejected(&good[..len]);
        assert!(
            msg.contains("truncated") || msg.contains("magic") || msg.contains("footer"),
            "{len}: {msg}"
        );
    }
    assert!(rejected(b"TZjf2").contains("magic"));
    let mut bad_version = good.clone();
    bad_version[4] = b'9';
    assert!(rejected(&bad_version).contains("version"));

    let b = cet_block();
    // Huge counts in the v2 header: refused before any allocation.
    for field in 0..6 {
        let mut counts = b.counts();
        counts.0[field] = u32::MAX;
        rejected(&v2_file(&b, counts, "CET-1CEST,M3.5.0,M10.5.0/3"));
    }
    // Huge counts in the v1 header.
    let mut file = good.clone();
    file[20 + 12..20 + 16].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(rejected(&file).contains("truncated"));

    let footer = "CET-1CEST,M3.5.0,M10.5.0/3";
    let variant = |f: &dyn Fn(&mut Block)| {
        let mut b = cet_block();
        f(&mut b);
        rejected(&v2_file(&b, b.counts(), footer))
    };
    assert!(variant(&|b| b.indices[1] = 3).contains("missing local time type"));
    assert!(variant(&|b| b.types[1].2 = 200).contains("abbreviation index"));
    assert!(variant(&|b| b.types[1].0 = i32::MIN).contains("out of range"));
    assert!(variant(&|b| b.types[1].0 = 86_400).contains("out of range"));
    assert!(variant(&|b| b.types[1].1 = 2).contains("isdst"));
    assert!(variant(&|b| b.times.swap(1, 2)).contains("ascending"));
    assert!(variant(&|b| b.times[2] = b.times[1]).contains("ascending"));
    assert!(
        variant(&|b| {
            b.types.clear();
            b.indices.clear();
            b.times.clear();
        })
        .contains("local time types")
    );
    assert!(variant(&|b| b.chars.clear()).contains("abbreviation"));
    // Indicator counts that do not match.
    let mut counts = b.counts();
    counts.0[0] = 1;
    rejected(&v2_file(&b, counts, footer));
    // Footers.
    assert!(rejected(&v2_file(&b, b.counts(), "CET-1CEST,M13.5.0,M10.5.0")).contains("POSIX"));
    let mut unterminated = good.clone();
    unterminated.pop();
    assert!(rejected(&unterminated).contains("footer"));
    let mut no_newline = good.clone();
    let at = no_newline.len() - footer.len() - 2;
    no_newline[at] = b'X';
    assert!(rejected(&no_newline).contains("footer"));
    // Too large.
    let mut big = good.clone();
    big.resize(MAX_TZIF_LEN as usize + 1, b'\n');
    assert!(rejected(&big).contains("1 MiB"));
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Tzif::parse(&bytes);
        let mut file = cet_file();
        for (i, b) in bytes.iter().enumerate().step_by(2) {
            let at = (*b as usize * 7 + i) % file.len();
            file[at] = bytes.get(i + 1).copied().unwrap_or(0);
        }
        if let Ok(tzif) = Tzif::parse(&file) {
            let zone = Zone::new("Fuzz", Rules::Tzif(tzif));
            for t in [i64::MIN / 4, -1, 0, SPRING_2024, 4_000_000_000, i64::MAX / 4] {
                let _ = zone.span_at(t);
                let _ = zone.spans_at_local(t / 1_000_000);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// POSIX TZ strings
// ---------------------------------------------------------------------------------------

fn posix(text: &str) -> Posix {
    match Posix::parse(text) {
        Ok(p) => p,
        Err(e) => panic!("{text}: {e}"),
    }
}

/// UTC instant of a UTC date-time.
fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .timestamp()
}

#[test]
fn posix_strings() {
    let fixed = posix("<+08>-8");
    assert_eq!(fixed.span_at(0).utoff, 8 * 3600);
    assert_eq!(fixed.span_at(0).abbr.as_str(), Some("+08"));
    assert_eq!(posix("<-0330>3:30").span_at(0).utoff, -12_600);
    assert_eq!(posix("UTC0").span_at(0).utoff, 0);

    // The US rule, and the default rule when none is given.
    for text in ["EST5EDT,M3.2.0,M11.1.0", "EST5EDT"] {
        let us = posix(text);
        assert_eq!(us.span_at(at(2025, 3, 9, 6, 59)).utoff, -18_000, "{text}");
        assert_eq!(us.span_at(at(2025, 3, 9, 7, 0)).utoff, -14_400, "{text}");
        assert_eq!(us.span_at(at(2025, 11, 2, 5, 59)).utoff, -14_400, "{text}");
        assert_eq!(us.span_at(at(2025, 11, 2, 6, 0)).utoff, -18_000, "{text}");
    }
    // Southern hemisphere, explicit DST offset, times with minutes: Lord Howe.
    let lh = posix("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
    assert_eq!(lh.span_at(at(2025, 1, 1, 0, 0)).utoff, 39_600);
    assert_eq!(lh.span_at(at(2025, 7, 1, 0, 0)).utoff, 37_800);
    // Negative and >24h transition times (RFC 8536 extensions): Greenland, Israel.
    let gl = posix("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    assert_eq!(gl.span_at(at(2025, 3, 30, 1, 0)).utoff, -3600);
    assert_eq!(gl.span_at(at(2025, 3, 30, 0, 59)).utoff, -7200);
    let il = posix("IST-2IDT,M3.4.4/26,M10.5.0");
    // Friday 2025-03-28 02:00 local = 00:00 UTC.
    assert_eq!(il.span_at(at(2025, 3, 28, 0, 0)).utoff, 10_800);
    assert_eq!(il.span_at(at(2025, 3, 27, 23, 59)).utoff, 7200);
    // Julian days: J60 is March 1 in every year, 59 is February 29 or March 1.
    let j1 = posix("AAA0BBB,J60/0,J300");
    let j0 = posix("AAA0BBB,59/0,300");
    assert_eq!(j1.span_at(at(2024, 3, 1, 0, 0)).utoff, 3600);
    assert_eq!(j1.span_at(at(2024, 2, 29, 23, 59)).utoff, 0);
    assert_eq!(j0.span_at(at(2024, 2, 29, 0, 0)).utoff, 3600);
    assert_eq!(j0.span_at(at(2023, 3, 1, 0, 0)).utoff, 3600);
    assert_eq!(j0.span_at(at(2023, 2, 28, 23, 59)).utoff, 0);
    // DST all year.
    let all = posix("EST5EDT,0/0,J365/25");
    for t in [
        at(2025, 1, 1, 0, 0),
        at(2025, 6, 1, 0, 0),
        at(2025, 12, 31, 23, 0),
    ] {
        assert_eq!(all.span_at(t).utoff, -14_400);
    }

    let mut out = Vec::new();
    posix("CET-1CEST,M3.5.0,M10.5.0/3").transitions_in(
        at(2025, 1, 1, 0, 0),
        at(2026, 1, 1, 0, 0),
        &mut out,
    );
    out.sort_unstable();
    assert_eq!(out, vec![at(2025, 3, 30, 1, 0), at(2025, 10, 26, 1, 0)]);

    for bad in [
        "",
        "A0",
        "<>0",
        "<+08",
        "CET",
        "CET-25",
        "CET-1CEST,M3.5.0",
        "CET-1CEST,M3.6.0,M10.5.0",
        "CET-1CEST,M3.5.7,M10.5.0",
        "CET-1CEST,J0,J100",
        "CET-1CEST,366,1",
        "CET-1CEST,M3.5.0/168,M10.5.0",
        "CET-1CEST,M3.5.0,M10.5.0x",
        "CET-1:60",
        "CET-1CEST,M3.5.0,M10.5.0/3:00:60",
        "CET-24",
    ] {
        let msg = Posix::parse(bad).err().map(|e| e.message().to_owned());
        assert!(
            msg.is_some_and(|m| m.contains("POSIX TZ")),
            "{bad:?} accepted"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------

#[test]
fn builtin_names_and_fixed_offsets() {
    for name in [
        "UTC",
        "Z",
        "Etc/UTC",
        "GMT",
        "Etc/GMT",
        "Universal",
        "Zulu",
        "UCT",
        "GMT0",
    ] {
        let zone = Zone::from_name(name).unwrap();
        assert_eq!(utoff(&zone, 0), 0, "{name}");
        assert!(matches!(zone.0.rules, Rules::Fixed(_)), "{name}");
    }
    assert_eq!(Zone::from_name("Z").unwrap().name(), "UTC");
    assert_eq!(Zone::from_name("Etc/GMT").unwrap().name(), "Etc/GMT");
    for (name, secs, canonical) in [
        ("+08:00", 28_800, "+08:00"),
        ("+0800", 28_800, "+08:00"),
        ("+08", 28_800, "+08:00"),
        ("+8", 28_800, "+08:00"),
        ("-0530", -19_800, "-05:30"),
        ("-05:30", -19_800, "-05:30"),
        ("+05:45:30", 20_730, "+05:45:30"),
        ("+054530", 20_730, "+05:45:30"),
        ("-00:00", 0, "+00:00"),
        ("+23:59", 86_340, "+23:59"),
    ] {
        let zone = Zone::from_name(name).unwrap();
        assert_eq!(utoff(&zone, 0), secs, "{name}");
        assert_eq!(zone.name(), canonical, "{name}");
        let dt = zone.timestamp_opt(0, 0).unwrap();
        assert_eq!(dt.offset().fix().local_minus_utc(), secs);
    }
    for bad in [
        "+",
        "+24:00",
        "+08:60",
        "+8:0",
        "+08:00:",
        "+080",
        "+08:00:00:00",
        "+ab",
        "-08h",
    ] {
        let e = Zone::from_name(bad).unwrap_err();
        assert!(e.message().contains("invalid UTC offset"), "{bad}: {e}");
    }
    assert!(Zone::fixed(86_400).is_err());
    assert!(Zone::fixed(i32::MIN).is_err());
    assert_eq!(Zone::fixed(0).unwrap().name(), "+00:00");
}

#[test]
fn hostile_names_are_errors() {
    for (name, why) in [
        ("", "empty"),
        ("../../etc/passwd", "`..`"),
        ("Asia/../../etc/passwd", "`..`"),
        ("/etc/localtime", "absolute"),
        ("Asia//Shanghai", "empty"),
        ("Asia/./Shanghai", "`.`"),
        ("Asia/", "empty"),
        ("Asia/Shang\0hai", "NUL"),
        ("Asia\\Shanghai", "letters, digits"),
        ("Asia/Shanghai ", "letters, digits"),
        ("Asia/Sh%61nghai", "letters, digits"),
    ] {
        let e = Zone::from_name(name).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Interface);
        assert!(e.message().contains(why), "{name:?}: {e}");
    }
    let long = "A".repeat(300);
    assert!(
        Zone::from_name(&long)
            .unwrap_err()
            .message()
            .contains("255")
    );
    let e = Zone::from_name("Mars/Base").unwrap_err();
    assert!(
        e.message().contains("unknown time zone \"Mars/Base\""),
        "{e}"
    );
}

#[test]
fn zone_files_from_a_directory() {
    let dir = std::env::temp_dir().join(format!("taosync-tz-test-{}", std::process::id()));
    let sub = dir.join("Test");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("Cet"), cet_file()).unwrap();
    std::fs::write(sub.join("Garbage"), b"not a zone").unwrap();
    std::fs::write(sub.join("Huge"), vec![0u8; MAX_TZIF_LEN as usize + 10]).unwrap();
    let dirs = vec![dir.join("missing"), dir.clone()];

    let zone = load_from_dirs("Test/Cet", &dirs).unwrap().unwrap();
    assert_eq!(zone.name(), "Test/Cet");
    assert_eq!(utoff(&zone, SPRING_2024), 7200);
    // A directory, or a path through a file, is no zone.
    assert!(load_from_dirs("Test", &dirs).unwrap().is_none());
    assert!(load_from_dirs("Test/Cet/X", &dirs).unwrap().is_none());
    assert!(load_from_dirs("Test/None", &dirs).unwrap().is_none());
    let e = load_from_dirs("Test/Garbage", &dirs).unwrap_err();
    assert!(
        e.message().contains("is not valid") && e.message().contains("magic"),
        "{e}"
    );
    let e = load_from_dirs("Test/Huge", &dirs).unwrap_err();
    assert!(e.message().contains("1 MiB"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn system_zones_are_cached_and_shared() {
    let a = Zone::from_name("Asia/Shanghai").unwrap();
    let b: Zone = "Asia/Shanghai".parse().unwrap();
    assert!(Arc::ptr_eq(&a.0, &b.0));
    assert_eq!(a, b);
    assert_ne!(a, Zone::utc());
    assert_eq!(format!("{a:?}"), "Zone(\"Asia/Shanghai\")");
    assert_eq!(a.to_string(), "Asia/Shanghai");
    let dt = a.timestamp_opt(1_700_000_000, 0).unwrap();
    assert_eq!(dt.to_rfc3339(), "2023-11-15T06:13:20+08:00");
    assert_eq!(dt.offset().abbreviation(), Some("CST"));
    // A DateTime<Zone> round-trips through chrono.
    let parsed = DateTime::parse_from_rfc3339("2025-07-01T12:00:00-04:00").unwrap();
    let ny = parsed.with_timezone(&Zone::from_name("America/New_York").unwrap());
    assert_eq!(ny.to_string(), "2025-07-01 12:00:00 EDT");
    assert!(ny.offset().is_dst());
}

// ---------------------------------------------------------------------------------------
// Against chrono-tz
// ---------------------------------------------------------------------------------------

const ZONES: [&str; 9] = [
    "Asia/Shanghai",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
    "Pacific/Apia",
    "Asia/Kolkata",
    "Europe/Dublin",
    "UTC",
];

/// The zone from the system's TZif file (never the bundled fallback).
fn system_zone(name: &str) -> Zone {
    if name == "UTC" {
        return Zone::utc();
    }
    match load_from_dirs(name, &zoneinfo_dirs()) {
        Ok(Some(zone)) => zone,
        other => panic!(
            "{name}: no TZif file in {:?} ({other:?}); install the tzdata package",
            zoneinfo_dirs()
        ),
    }
}

fn reference(name: &str) -> chrono_tz::Tz {
    name.parse().unwrap()
}

const START_1900: i64 = -2_208_988_800;
const END_2100: i64 = 4_102_444_800;

fn check_utc(zone: &Zone, tz: &chrono_tz::Tz, t: i64) {
    let utc = DateTime::from_timestamp(t, 0).unwrap().naive_utc();
    let ours = zone.offset_from_utc_datetime(&utc).fix();
    let theirs = tz.offset_from_utc_datetime(&utc).fix();
    assert_eq!(ours, theirs, "{} at {utc}Z", zone.name());
}

fn check_local(zone: &Zone, tz: &chrono_tz::Tz, l: i64) {
    let local = DateTime::from_timestamp(l, 0).unwrap().naive_utc();
    let ours = zone.offset_from_local_datetime(&local).map(|o| o.fix());
    let theirs = tz.offset_from_local_datetime(&local).map(|o| o.fix());
    assert_eq!(ours, theirs, "{} at local {local}", zone.name());
}

#[test]
fn offsets_equal_chrono_tz_around_every_transition() {
    for name in ZONES {
        let zone = system_zone(name);
        let tz = reference(name);
        let off = |t: i64| {
            tz.offset_from_utc_datetime(&DateTime::from_timestamp(t, 0).unwrap().naive_utc())
                .fix()
                .local_minus_utc()
        };
        // A sweep with an odd step (hits every time of day), and at every change of the
        // reference offset, its exact instant and the local times around it.
        let step = 86_400 + 3600 + 7 * 60 + 3;
        let mut t = START_1900;
        let mut transitions = 0;
        while t < END_2100 {
            check_utc(&zone, &tz, t);
            check_local(&zone, &tz, t);
            let next = t + step;
            if off(next) != off(t) {
                let (mut lo, mut hi) = (t, next);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if off(mid) == off(t) {
                        lo = mid
                    } else {
                        hi = mid
                    }
                }
                transitions += 1;
                for u in [hi - 1, hi, hi + 1] {
                    check_utc(&zone, &tz, u);
                }
                let (a, b) = (off(lo), off(hi));
                let base = hi + i64::from(a.min(b));
                let span = i64::from((a - b).abs());
                for d in
                    (-7200..=span + 7200)
                        .step_by(900)
                        .chain([-1, 0, 1, span - 1, span, span + 1])
                {
                    check_local(&zone, &tz, base + d);
                }
            }
            t = next;
        }
        if name != "UTC" {
            assert!(transitions > 0, "{name}: no transitions found");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    #[test]
    fn offsets_equal_chrono_tz(i in 0..ZONES.len(), t in START_1900..END_2100) {
        let zone = system_zone(ZONES[i]);
        let tz = reference(ZONES[i]);
        check_utc(&zone, &tz, t);
        check_local(&zone, &tz, t);
    }
}

#[cfg(feature = "bundled-tz")]
#[test]
fn bundled_fallback_agrees_with_the_system_zone() {
    for name in ["Europe/Dublin", "Australia/Lord_Howe"] {
        let ours = system_zone(name);
        let fallback = bundled(name).unwrap();
        assert!(matches!(fallback.0.rules, Rules::Bundled(_)));
        assert_eq!(fallback.name(), name);
        let mut t = START_1900;
        while t < END_2100 {
            assert_eq!(
                ours.span_at(t).utoff,
                fallback.span_at(t).utoff,
                "{name} {t}"
            );
            let local = |z: &Zone| z.spans_at_local(t).map(|s| s.utoff);
            assert_eq!(local(&ours), local(&fallback), "{name} local {t}");
            t += 86_400 * 3 + 3607;
        }
        let dt = fallback.timestamp_opt(1_751_371_200, 0).unwrap();
        assert_eq!(
            dt.to_rfc3339(),
            ours.timestamp_opt(1_751_371_200, 0).unwrap().to_rfc3339()
        );
    }
    assert!(
        bundled("Mars/Base")
            .unwrap_err()
            .message()
            .contains("unknown time zone")
    );
}

#[test]
fn zones_are_send_sync_and_cheap_to_clone() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Zone>();
    send_sync::<ZoneOffset>();
    let zone = Zone::from_name("Europe/London").unwrap();
    let copy = zone.clone();
    assert!(Arc::ptr_eq(&zone.0, &copy.0));
    let handle = std::thread::spawn(move || copy.timestamp_opt(0, 0).unwrap().to_rfc3339());
    assert_eq!(handle.join().unwrap(), "1970-01-01T01:00:00+01:00");
}

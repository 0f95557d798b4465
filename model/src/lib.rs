//! Types shared by the server and the browser, one module per area, and the one error type that
//! crosses the UI boundary ([`AppError`]). No Leptos: the browser bundle, the pages and the
//! server-only `backend` crate all build on these.

/// The conversions every validated text newtype shares: `as_str`, `Display`, and the serde round
/// trip through `String` (`TryFrom<String>` runs the type's `parse`, so deserialising can never
/// make an invalid value).
macro_rules! text_newtype {
    ($name:ident, $error:ty) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $error;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub mod accounts;
pub mod applications;
pub mod catalogue;
pub mod common;
pub mod error;
pub mod forms;
pub mod messaging;
pub mod organisations;
pub mod service_desk;
mod stored;

pub use error::AppError;

/// Year, month (1–12), day and seconds into the day (UTC) of a time stored as seconds since 1970.
pub fn civil_time(unix: i64) -> (i64, i64, i64, i64) {
    let days = unix.div_euclid(86_400);
    let seconds = unix.rem_euclid(86_400);
    // Civil date from a day count (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, seconds)
}

/// Days since 1970 of a civil date (the inverse of [`civil_time`]'s date, by the same algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The UK's time zone, with its summer time rules, compiled in.
static LONDON: jiff::tz::TimeZone = jiff::tz::get!("Europe/London");

/// A time stored as seconds since 1970 (UTC), as people in the UK read it, in UK time (GMT or
/// British Summer Time) and the NHS style: `3 December 2026, 9:05am`, `1 June 2026, midday`.
pub fn format_time(unix: i64) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let at = jiff::Timestamp::from_second(unix).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let local = LONDON.to_datetime(at);
    let (hour, minute) = (local.hour(), local.minute());
    let time = match (hour, minute) {
        (0, 0) => "midnight".to_owned(),
        (12, 0) => "midday".to_owned(),
        _ => format!(
            "{}:{minute:02}{}",
            if hour % 12 == 0 { 12 } else { hour % 12 },
            if hour < 12 { "am" } else { "pm" }
        ),
    };
    format!(
        "{} {} {}, {time}",
        local.day(),
        MONTHS[(local.month() - 1) as usize],
        local.year()
    )
}

#[cfg(test)]
mod tests {
    use super::{days_from_civil, format_time};

    fn utc(year: i64, month: i64, day: i64, hour: i64, minute: i64) -> i64 {
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60
    }

    #[test]
    fn formats_times_as_uk_dates_in_uk_time() {
        assert_eq!(format_time(1_795_615_500), "25 November 2026, 2:05pm");
        assert_eq!(format_time(951_782_400), "29 February 2000, midnight");
        assert_eq!(format_time(utc(2026, 6, 1, 11, 0)), "1 June 2026, midday");
        assert_eq!(
            format_time(utc(2026, 12, 3, 9, 5)),
            "3 December 2026, 9:05am"
        );
        assert_eq!(
            format_time(utc(2026, 12, 3, 0, 15)),
            "3 December 2026, 12:15am"
        );
        // From 1968 to 1971 the UK kept summer time all year: 1 hour ahead at the epoch.
        assert_eq!(format_time(0), "1 January 1970, 1:00am");
    }

    #[test]
    fn follows_the_clocks_going_forward_and_back() {
        // 29 March 2026: at 1:00am GMT the clocks go forward to 2:00am BST.
        assert_eq!(
            format_time(utc(2026, 3, 29, 0, 59)),
            "29 March 2026, 12:59am"
        );
        assert_eq!(format_time(utc(2026, 3, 29, 1, 0)), "29 March 2026, 2:00am");
        assert_eq!(
            format_time(utc(2026, 7, 15, 16, 30)),
            "15 July 2026, 5:30pm"
        );
        // 25 October 2026: at 2:00am BST they go back to 1:00am GMT, so 1:30am comes twice.
        assert_eq!(
            format_time(utc(2026, 10, 25, 0, 30)),
            "25 October 2026, 1:30am"
        );
        assert_eq!(
            format_time(utc(2026, 10, 25, 1, 30)),
            "25 October 2026, 1:30am"
        );
        assert_eq!(
            format_time(utc(2026, 10, 25, 2, 30)),
            "25 October 2026, 2:30am"
        );
    }
}

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

/// A time stored as seconds since 1970, as people read it in the UK: `25 November 2026, 14:05
/// (UTC)`. Worked out here so that the browser bundle needs no date library.
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
    let (year, month, day, seconds) = civil_time(unix);
    format!(
        "{day} {} {year}, {:02}:{:02} (UTC)",
        MONTHS[(month - 1) as usize],
        seconds / 3600,
        seconds % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_times_as_uk_dates() {
        assert_eq!(super::format_time(0), "1 January 1970, 00:00 (UTC)");
        assert_eq!(
            super::format_time(1_795_615_500),
            "25 November 2026, 14:05 (UTC)"
        );
        assert_eq!(
            super::format_time(951_782_400),
            "29 February 2000, 00:00 (UTC)"
        );
    }
}

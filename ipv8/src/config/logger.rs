//! [`Logger`]: py-ipv8's `logger` section, the arguments of Python's `logging.basicConfig`.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Table;

/// The `logger` section: a level, plus any other `logging.basicConfig` arguments, kept as given.
///
/// # Examples
///
/// ```
/// use ipv8::config::{LogLevel, Logger};
///
/// assert_eq!(Logger::default().level, LogLevel::Info);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Logger {
    /// The log level.
    pub level: LogLevel,
    /// Other `logging.basicConfig` arguments (such as `format`), which this crate does not use.
    #[serde(flatten)]
    pub options: Table,
}

impl Logger {
    /// A logger section with only a level.
    #[must_use]
    pub fn new(level: LogLevel) -> Logger {
        Logger { level, options: Table::new() }
    }
}

/// A Python logging level, as py-ipv8's `set_log_level` names them. Python's aliases `WARN` and
/// `FATAL` and the numeric levels (0, 10, …, 50) are read too; the name is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LogLevel {
    /// `NOTSET` (0): everything.
    NotSet,
    /// `DEBUG` (10).
    Debug,
    /// `INFO` (20), the default.
    #[default]
    Info,
    /// `WARNING` (30).
    Warning,
    /// `ERROR` (40).
    Error,
    /// `CRITICAL` (50).
    Critical,
}

const LEVELS: [LogLevel; 6] = [
    LogLevel::NotSet,
    LogLevel::Debug,
    LogLevel::Info,
    LogLevel::Warning,
    LogLevel::Error,
    LogLevel::Critical,
];

impl LogLevel {
    /// The Python name: `NOTSET`, `DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::NotSet => "NOTSET",
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warning => "WARNING",
            LogLevel::Error => "ERROR",
            LogLevel::Critical => "CRITICAL",
        }
    }
}

impl LogLevel {
    /// The level with Python's name (or alias) `name`.
    fn from_name(name: &str) -> Option<LogLevel> {
        match name {
            "WARN" => Some(LogLevel::Warning),
            "FATAL" => Some(LogLevel::Critical),
            name => LEVELS.into_iter().find(|level| level.name() == name),
        }
    }

    /// The level with Python's number `value`.
    fn from_number(value: u64) -> Option<LogLevel> {
        LEVELS.into_iter().zip(0..).find(|(_, tens)| tens * 10 == value).map(|(level, _)| level)
    }
}

impl Serialize for LogLevel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for LogLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LevelVisitor)
    }
}

struct LevelVisitor;

impl Visitor<'_> for LevelVisitor {
    type Value = LogLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a log level: NOTSET, DEBUG, INFO, WARNING, ERROR or CRITICAL")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<LogLevel, E> {
        LogLevel::from_name(name).ok_or_else(|| E::invalid_value(de::Unexpected::Str(name), &self))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<LogLevel, E> {
        LogLevel::from_number(value)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(value), &self))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<LogLevel, E> {
        let number = u64::try_from(value)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))?;
        self.visit_u64(number)
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde() {
        for level in [LogLevel::NotSet, LogLevel::Debug, LogLevel::Warning, LogLevel::Critical] {
            assert_eq!(serde_json::to_value(level).unwrap(), level.name());
        }
        assert_eq!(serde_json::from_str::<LogLevel>(r#""WARN""#).unwrap(), LogLevel::Warning);
        assert_eq!(serde_json::from_str::<LogLevel>("50").unwrap(), LogLevel::Critical);
        assert!(serde_json::from_str::<LogLevel>("15").is_err());
        assert!(serde_json::from_str::<LogLevel>(r#""info""#).is_err());
    }
}

//! Reading and writing a [`Config`]: TOML, py-ipv8's JSON, and files of either by extension.

use std::fs;
use std::path::Path;

use super::{Config, ConfigError, Location};

/// A path as `serde_path_to_error` writes it, with the root (`.`) as empty.
fn path_of(path: &serde_path_to_error::Path) -> String {
    let path = path.to_string();
    if path == "." { String::new() } else { path }
}

impl Config {
    /// Reads and validates a configuration written in TOML, as [`DEFAULT_TOML`](super::DEFAULT_TOML).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Parse`] naming the offending key (or the position of a syntax error), or the
    /// error of [`Config::validate`].
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::config::Config;
    ///
    /// let config = Config::from_toml_str(ipv8::config::DEFAULT_TOML)?;
    /// assert_eq!(config, Config::default());
    /// let err = Config::from_toml_str("walker_interval = 1\nkeys = 3").unwrap_err();
    /// assert_eq!(err.to_string(), "keys: invalid type: integer `3`, expected a sequence");
    /// # Ok::<(), ipv8::config::ConfigError>(())
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Config, ConfigError> {
        let config: Config = serde_path_to_error::deserialize(toml::Deserializer::new(text))
            .map_err(|error| toml_error(text, &error))?;
        config.validate()?;
        Ok(config)
    }

    /// Reads and validates a configuration in py-ipv8's JSON form (`json.dumps` of its configuration
    /// dictionary; tuples become lists).
    ///
    /// # Errors
    ///
    /// As [`Config::from_toml_str`].
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::config::Config;
    ///
    /// let json = Config::loopback(8090).to_json_string()?;
    /// assert_eq!(Config::from_json_str(&json)?, Config::loopback(8090));
    /// # Ok::<(), ipv8::config::ConfigError>(())
    /// ```
    pub fn from_json_str(text: &str) -> Result<Config, ConfigError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let config: Config = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|error| json_error(&path_of(error.path()), error.inner()))?;
        deserializer.end().map_err(|error| json_error("", &error))?;
        config.validate()?;
        Ok(config)
    }

    /// Reads and validates a configuration file: TOML if its name ends in `.toml`, JSON if `.json`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownFormat`], [`ConfigError::Read`], or [`ConfigError::InFile`] wrapping what
    /// is wrong in the content.
    pub fn from_path(file: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let file = file.as_ref();
        let extension = file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let parse = match extension.as_deref() {
            Some("toml") => Config::from_toml_str,
            Some("json") => Config::from_json_str,
            _ => return Err(ConfigError::UnknownFormat { file: file.into() }),
        };
        let text = fs::read_to_string(file)
            .map_err(|error| ConfigError::Read { file: file.into(), error })?;
        parse(&text)
            .map_err(|error| ConfigError::InFile { file: file.into(), error: Box::new(error) })
    }

    /// The configuration as TOML.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Serialize`] if a free-form table holds something TOML cannot say, such as a
    /// JSON `null`.
    pub fn to_toml_string(&self) -> Result<String, ConfigError> {
        toml::to_string(self).map_err(|error| ConfigError::Serialize { message: error.to_string() })
    }

    /// The configuration in py-ipv8's JSON form, pretty-printed.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Serialize`] if a path is not UTF-8.
    pub fn to_json_string(&self) -> Result<String, ConfigError> {
        serde_json::to_string_pretty(self)
            .map_err(|error| ConfigError::Serialize { message: error.to_string() })
    }
}

/// A TOML error: the key when known, else the position.
fn toml_error(text: &str, error: &serde_path_to_error::Error<toml::de::Error>) -> ConfigError {
    let inner = error.inner();
    // A span over the whole document (a missing top-level key) is no position.
    let whole =
        |span: &std::ops::Range<usize>| span.start == 0 && span.end >= text.trim_end().len();
    let location = inner.span().filter(|span| !whole(span)).map(|span| location(text, span.start));
    let message = inner.message().trim_end().lines().collect::<Vec<_>>().join("; ");
    ConfigError::Parse { path: path_of(error.path()), message, location }
}

/// The 1-based line and column of byte `offset`.
fn location(text: &str, offset: usize) -> Location {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    Location {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// A JSON error; syntax errors are reported by position only, since their path is partial.
fn json_error(path: &str, error: &serde_json::Error) -> ConfigError {
    let text = error.to_string();
    let (message, location) = if error.line() == 0 {
        (text.as_str(), None)
    } else {
        let (line, column) = (error.line(), error.column());
        let suffix = format!(" at line {line} column {column}");
        (text.strip_suffix(&suffix).unwrap_or(&text), Some(Location { line, column }))
    };
    let path = if error.is_data() { path } else { "" };
    ConfigError::Parse { path: path.to_owned(), message: message.to_owned(), location }
}

/// An error from reading a free-form value as a typed one.
pub(super) fn value_error(error: &serde_path_to_error::Error<serde_json::Error>) -> ConfigError {
    json_error(&path_of(error.path()), error.inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_lines_and_characters() {
        assert_eq!(location("ab\nçd", 5), Location { line: 2, column: 2 });
        assert_eq!(location("ab", 0), Location { line: 1, column: 1 });
    }

    #[test]
    fn json_syntax_errors_give_the_position() {
        let err = Config::from_json_str("{\"keys\": [}").unwrap_err();
        assert_eq!(err.to_string(), "line 1, column 11: expected value");
        assert_eq!(err.path(), None);
    }

    #[test]
    fn trailing_json_is_an_error() {
        let json = Config::loopback(1).to_json_string().unwrap() + "x";
        let err = Config::from_json_str(&json).unwrap_err();
        assert!(err.to_string().ends_with(": trailing characters"), "{err}");
    }
}

//! Log output: tracing events on standard error, at the configuration's `logger.level`.

use ipv8::config::LogLevel;
use tracing_subscriber::filter::LevelFilter;

/// Sends tracing events at `level` and above to standard error.
pub(crate) fn init(level: LogLevel) {
    let filter = match level {
        LogLevel::NotSet | LogLevel::Debug => LevelFilter::DEBUG,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Warning => LevelFilter::WARN,
        LogLevel::Error | LogLevel::Critical => LevelFilter::ERROR,
    };
    // A second initialisation (in tests) is not an error worth reporting.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = subscriber.try_init();
}

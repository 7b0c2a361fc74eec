//! [`LaunchError`]: why a node could not be started from a configuration.

/// Why a node could not be started from a configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LaunchError {
    /// The configuration is invalid, or a key could not be loaded or written.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A socket could not be bound.
    #[cfg(feature = "runtime")]
    #[error(transparent)]
    Endpoint(#[from] crate::runtime::EndpointError),
    /// A community could not be added to the node.
    #[error(transparent)]
    Node(#[from] crate::proto::NodeError),
    /// A walker names a strategy this build does not know.
    #[error("overlays.{class}.walkers: unknown strategy {strategy:?}")]
    UnknownStrategy {
        /// The overlay's class.
        class: String,
        /// The strategy name.
        strategy: String,
    },
    /// A walker or bootstrapper argument has the wrong type.
    #[error("overlays.{class}: argument {name:?} must be {expected}")]
    BadArgument {
        /// The overlay's class.
        class: String,
        /// The argument's name.
        name: String,
        /// What it must be.
        expected: &'static str,
    },
    /// An overlay's `initialize` table does not fit the community's settings.
    #[error("overlays.{class}.initialize.{path}: {message}")]
    Settings {
        /// The overlay's class.
        class: String,
        /// Where in `initialize` the problem is.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A bootstrapper names a class nobody registered.
    #[error("overlays.{class}.bootstrappers: unknown bootstrapper {bootstrapper:?}")]
    UnknownBootstrapper {
        /// The overlay's class.
        class: String,
        /// The bootstrapper's class.
        bootstrapper: String,
    },
    /// An `on_start` entry names a method the overlay's class has not registered.
    #[error("overlays.{class}.on_start: unknown method {method:?}")]
    UnknownOnStart {
        /// The overlay's class.
        class: String,
        /// The method's name.
        method: String,
    },
    /// An `on_start` method failed.
    #[error("overlays.{class}.on_start: {method} failed: {message}")]
    OnStart {
        /// The overlay's class.
        class: String,
        /// The method's name.
        method: String,
        /// Why.
        message: String,
    },
    /// No overlay of the configuration can run, so there is nothing to start.
    #[error("none of the configured overlays is available: {0:?}")]
    NothingToRun(Vec<String>),
    /// The configuration has no key for the overlays.
    #[error("no key is configured")]
    NoKey,
}

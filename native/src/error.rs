//! Kafka error names raised by the addon; the JS door turns "NAME: detail" into a NativeError.

use std::io;

/// A failure carrying the Kafka error name the broker answers with.
#[derive(Debug)]
pub struct KafkaError {
  pub name: &'static str,
  pub message: String,
}

/// Result type of every fallible operation in the crate.
pub type KResult<T> = Result<T, KafkaError>;

impl KafkaError {
  fn new(name: &'static str, message: impl Into<String>) -> Self {
    Self {
      name,
      message: message.into(),
    }
  }

  /// Bytes that cannot be a well-formed batch (bad length, CRC, framing, codec stream).
  pub fn corrupt(message: impl Into<String>) -> Self {
    Self::new("CORRUPT_MESSAGE", message)
  }

  /// A well-framed batch whose contents break Kafka's rules (counts, offset deltas).
  pub fn invalid_record(message: impl Into<String>) -> Self {
    Self::new("INVALID_RECORD", message)
  }

  /// A batch larger than the configured maximum.
  pub fn too_large(message: impl Into<String>) -> Self {
    Self::new("MESSAGE_TOO_LARGE", message)
  }

  /// A codec id this build does not know.
  pub fn unsupported_compression(message: impl Into<String>) -> Self {
    Self::new("UNSUPPORTED_COMPRESSION_TYPE", message)
  }

  /// Magic 0/1 message sets: Sluice only stores record batch v2.
  pub fn unsupported_format(message: impl Into<String>) -> Self {
    Self::new("UNSUPPORTED_FOR_MESSAGE_FORMAT", message)
  }

  /// A log dir lock another process holds: the broker must not start on that dir.
  pub fn locked(message: impl Into<String>) -> Self {
    Self::new("KAFKA_STORAGE_ERROR", message)
  }

  /// Any failed file operation: the partition goes offline, others keep working.
  pub fn storage(context: &str, err: io::Error) -> Self {
    Self::new("KAFKA_STORAGE_ERROR", format!("{context}: {err}"))
  }
}

impl From<KafkaError> for napi::Error {
  fn from(e: KafkaError) -> Self {
    napi::Error::from_reason(format!("{}: {}", e.name, e.message))
  }
}

//! Room settings of the floor and their validation.

use serde::{Deserialize, Serialize};

/// Settings of one room's floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FloorConfig {
    /// Maximum number of students who hold the floor at once. Default 1.
    pub max_speakers: usize,
    /// Limit on each student's own hand raises and lowers.
    pub hand_rate: HandRate,
}

impl Default for FloorConfig {
    fn default() -> Self {
        Self {
            max_speakers: 1,
            hand_rate: HandRate::default(),
        }
    }
}

impl FloorConfig {
    /// Checks that every setting is usable.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.max_speakers == 0 {
            return Err(ConfigError::ZeroMaxSpeakers);
        }
        if self.hand_rate.max_changes == 0 {
            return Err(ConfigError::ZeroHandChanges);
        }
        if self.hand_rate.window_ms == 0 {
            return Err(ConfigError::ZeroHandWindow);
        }
        Ok(())
    }
}

/// Token bucket limit on hand changes: a student may make `max_changes`
/// raises or lowers in a burst, and regains one every
/// `window_ms / max_changes` milliseconds.
///
/// The default of 5 changes per 10 s lets a student raise and lower a hand
/// a few times in a row but stops a script from flooding the queue. It is a
/// judgement, not a measured figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HandRate {
    /// Size of the burst, and the number of changes regained per window.
    pub max_changes: u32,
    /// Length of the window in milliseconds.
    pub window_ms: u64,
}

impl Default for HandRate {
    fn default() -> Self {
        Self {
            max_changes: 5,
            window_ms: 10_000,
        }
    }
}

/// Reasons a [`FloorConfig`] is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No student could ever hold the floor.
    #[error("max_speakers must be at least 1, got 0")]
    ZeroMaxSpeakers,
    /// No student could ever raise a hand.
    #[error("hand_rate.max_changes must be at least 1, got 0")]
    ZeroHandChanges,
    /// The refill rate would divide by zero.
    #[error("hand_rate.window_ms must be at least 1, got 0")]
    ZeroHandWindow,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        assert_eq!(FloorConfig::default().validate(), Ok(()));
    }

    #[test]
    fn default_allows_one_speaker() {
        assert_eq!(FloorConfig::default().max_speakers, 1);
    }

    #[test]
    fn zero_max_speakers_is_rejected() {
        let config = FloorConfig {
            max_speakers: 0,
            ..FloorConfig::default()
        };

        assert_eq!(config.validate(), Err(ConfigError::ZeroMaxSpeakers));
    }

    #[test]
    fn zero_hand_changes_is_rejected() {
        let config = FloorConfig {
            hand_rate: HandRate {
                max_changes: 0,
                window_ms: 10_000,
            },
            ..FloorConfig::default()
        };

        assert_eq!(config.validate(), Err(ConfigError::ZeroHandChanges));
    }

    #[test]
    fn zero_hand_window_is_rejected() {
        let config = FloorConfig {
            hand_rate: HandRate {
                max_changes: 5,
                window_ms: 0,
            },
            ..FloorConfig::default()
        };

        assert_eq!(config.validate(), Err(ConfigError::ZeroHandWindow));
    }
}

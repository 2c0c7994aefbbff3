//! Tokens, password hashes and the identity behind a request.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lectern_store::{Participant, Room, User};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The cookie that carries a login token for the browser.
pub const TOKEN_COOKIE: &str = "lectern_token";

/// Creates a bearer token: 32 random bytes, base64url without padding.
pub fn new_token() -> String {
    let mut bytes = [0_u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The prefix of every API token, so that a leaked one is recognisable and
/// the server knows which table to look it up in.
pub const API_TOKEN_PREFIX: &str = "lct_";

/// Creates an API token: [`API_TOKEN_PREFIX`] followed by a [`new_token`].
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", new_token())
}

/// Checks for the API token prefix. A login or student token from
/// [`new_token`] starts with it by chance once in 2^24 tokens, so a token
/// with the prefix that is no API token may still be one of those.
pub fn has_api_token_prefix(token: &str) -> bool {
    token.starts_with(API_TOKEN_PREFIX)
}

/// Hashes a token for storage and lookup. Tokens carry 256 random bits, so
/// a fast hash is enough; the database never sees the token itself.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks a password against a stored argon2 hash.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Sender of a request.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A logged-in lecturer or admin.
    User(User),
    /// A student, valid in one room only.
    Student(Participant),
}

/// Role of a principal in one room.
#[derive(Debug, Clone)]
pub enum RoomRole {
    /// The room's lecturer, or an admin, who has the same rights.
    Lecturer(User),
    Student(Participant),
}

impl RoomRole {
    /// Returns the id of this participant in logs and on the board.
    pub fn participant_id(&self) -> &str {
        match self {
            RoomRole::Lecturer(user) => &user.id,
            RoomRole::Student(participant) => &participant.id,
        }
    }
}

impl Principal {
    /// Resolves what this principal may be in `room`, or why it may not.
    pub fn role_in(&self, room: &Room) -> Result<RoomRole, ApiError> {
        match self {
            Principal::User(user) if user.id == room.owner_id || user.role == "admin" => {
                Ok(RoomRole::Lecturer(user.clone()))
            }
            Principal::User(_) => Err(ApiError::forbidden(format!(
                "room {} belongs to another lecturer",
                room.code
            ))),
            Principal::Student(participant) if participant.room_id == room.id => {
                Ok(RoomRole::Student(participant.clone()))
            }
            Principal::Student(_) => Err(ApiError::forbidden(format!(
                "your token was issued for another room, not for room {}",
                room.code
            ))),
        }
    }

    /// Returns the lecturer's rights in `room`, or 403 for anyone else.
    pub fn lecturer_of(&self, room: &Room) -> Result<User, ApiError> {
        match self.role_in(room)? {
            RoomRole::Lecturer(user) => Ok(user),
            RoomRole::Student(_) => Err(ApiError::forbidden(format!(
                "only the lecturer of room {} may do this",
                room.code
            ))),
        }
    }

    /// Returns the user, or 403 for a student.
    pub fn user(&self) -> Result<&User, ApiError> {
        match self {
            Principal::User(user) => Ok(user),
            Principal::Student(_) => Err(ApiError::forbidden(
                "students cannot do this; log in as a lecturer",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies() {
        let hash = hash_password("correct horse").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let first = new_token();
        assert_ne!(first, new_token());
        assert_eq!(first.len(), 43);
        assert_eq!(hash_token(&first).len(), 64);
        assert_ne!(hash_token(&first), first);
    }

    #[test]
    fn api_tokens_carry_the_prefix() {
        let token = new_api_token();
        assert!(has_api_token_prefix(&token), "{}", &token[..4]);
        assert_eq!(token.len(), API_TOKEN_PREFIX.len() + 43);
        assert_ne!(token, new_api_token());
    }
}

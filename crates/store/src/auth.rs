//! Users and their API tokens.
//!
//! A token is 32 random bytes, base64url without padding, shown once when created; the store
//! keeps only its SHA-256. With that much entropy a fast hash is as safe as a slow one, and
//! authenticating a request costs one indexed lookup.

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vigil_model::{AuthorityKind, Caller, Role};

use crate::{get, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub authority: String,
    pub role: Role,
    pub created: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: i64,
    pub user: String,
    pub created: String,
    pub expires: Option<String>,
    pub revoked_at: Option<String>,
}

/// A token just created: `token` is the secret, which the store does not keep.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub id: i64,
    pub user: String,
    pub token: String,
    pub expires: Option<String>,
}

/// Why a presented token does not authenticate. Callers answer all of them alike (401) so a
/// client learns nothing about other users' tokens; the reason goes to the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Expired,
    Revoked,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Unknown => "unknown token",
            Refusal::Expired => "expired token",
            Refusal::Revoked => "revoked token",
        }
    }
}

/// An authenticated request's caller and the token it used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub caller: Caller,
    pub token_id: i64,
}

/// Longest token accepted for lookup: real ones are 43 characters.
const MAX_TOKEN_LEN: usize = 128;

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn valid_user_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
}

fn role_of(text: &str) -> Result<Role> {
    Role::parse(text).ok_or_else(|| StoreError::Corrupt {
        what: "users.role".into(),
        detail: text.to_string(),
    })
}

fn token_info(row: &sqlx::any::AnyRow) -> Result<TokenInfo> {
    Ok(TokenInfo {
        id: get(row, "id")?,
        user: get(row, "user_name")?,
        created: get(row, "created")?,
        expires: get(row, "expires")?,
        revoked_at: get(row, "revoked_at")?,
    })
}

impl Store {
    /// Adds a user of `authority` (a known authority, or a member state's body `XX-NAME`, which
    /// is registered on first use).
    pub async fn add_user(&self, name: &str, authority: &str, role: Role) -> Result<User> {
        if !valid_user_name(name) {
            return Err(StoreError::BadUserName(name.to_string()));
        }
        let mut tx = self.pool.begin().await?;
        let exists: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::UserExists(name.to_string()));
        }
        let known: Option<String> =
            sqlx::query_scalar("SELECT code FROM authorities WHERE code = $1")
                .bind(authority)
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_none() {
            crate::register::register_competent_authority(&mut tx, authority).await?;
        }
        let user = User {
            name: name.to_string(),
            authority: authority.to_string(),
            role,
            created: vigil_model::utc_now_rfc3339(),
        };
        sqlx::query("INSERT INTO users (name, authority, role, created) VALUES ($1, $2, $3, $4)")
            .bind(&user.name)
            .bind(&user.authority)
            .bind(role.as_str())
            .bind(&user.created)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query("SELECT name, authority, role, created FROM users ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(User {
                    name: get(row, "name")?,
                    authority: get(row, "authority")?,
                    role: role_of(&get::<String>(row, "role")?)?,
                    created: get(row, "created")?,
                })
            })
            .collect()
    }

    /// Creates a token for `user`, valid for `valid_secs` seconds (forever when `None`). The
    /// returned secret is not stored and cannot be shown again.
    pub async fn create_token(&self, user: &str, valid_secs: Option<i64>) -> Result<NewToken> {
        let known: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE name = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        if known.is_none() {
            return Err(StoreError::UnknownUser(user.to_string()));
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let expires = valid_secs.map(vigil_model::utc_rfc3339_from_now);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tokens (user_name, token_hash, created, expires) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(user)
        .bind(hash_token(&token))
        .bind(vigil_model::utc_now_rfc3339())
        .bind(expires.clone())
        .fetch_one(&self.pool)
        .await?;
        Ok(NewToken {
            id,
            user: user.to_string(),
            token,
            expires,
        })
    }

    pub async fn tokens(&self, user: Option<&str>) -> Result<Vec<TokenInfo>> {
        let rows =
            match user {
                Some(u) => {
                    sqlx::query(
                        "SELECT id, user_name, created, expires, revoked_at FROM tokens
                 WHERE user_name = $1 ORDER BY id",
                    )
                    .bind(u)
                    .fetch_all(&self.pool)
                    .await?
                }
                None => sqlx::query(
                    "SELECT id, user_name, created, expires, revoked_at FROM tokens ORDER BY id",
                )
                .fetch_all(&self.pool)
                .await?,
            };
        rows.iter().map(token_info).collect()
    }

    /// Revokes one token; false when there is no such token or it was revoked already.
    pub async fn revoke_token(&self, id: i64) -> Result<bool> {
        let done =
            sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(vigil_model::utc_now_rfc3339())
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Revokes every live token of `user`; returns how many.
    pub async fn revoke_user_tokens(&self, user: &str) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE tokens SET revoked_at = $1 WHERE user_name = $2 AND revoked_at IS NULL",
        )
        .bind(vigil_model::utc_now_rfc3339())
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// The caller a bearer token stands for. The outer error is the store's; the inner one says
    /// why the token was refused.
    pub async fn authenticate(
        &self,
        token: &str,
    ) -> Result<std::result::Result<Authenticated, Refusal>> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Ok(Err(Refusal::Unknown));
        }
        let row = sqlx::query(
            "SELECT t.id AS id, t.expires AS expires, t.revoked_at AS revoked_at,
                    u.name AS name, u.authority AS authority, u.role AS role, a.kind AS kind
             FROM tokens t JOIN users u ON u.name = t.user_name
             JOIN authorities a ON a.code = u.authority
             WHERE t.token_hash = $1",
        )
        .bind(hash_token(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(Err(Refusal::Unknown));
        };
        if get::<Option<String>>(&row, "revoked_at")?.is_some() {
            return Ok(Err(Refusal::Revoked));
        }
        if let Some(expires) = get::<Option<String>>(&row, "expires")? {
            // Both sides are the same fixed-width UTC format, so text order is time order.
            if expires <= vigil_model::utc_now_rfc3339() {
                return Ok(Err(Refusal::Expired));
            }
        }
        let kind_text: String = get(&row, "kind")?;
        let kind: AuthorityKind =
            serde_json::from_value(serde_json::Value::String(kind_text.clone())).map_err(|_| {
                StoreError::Corrupt {
                    what: "authorities.kind".into(),
                    detail: kind_text,
                }
            })?;
        let name: String = get(&row, "name")?;
        let authority: String = get(&row, "authority")?;
        let role = role_of(&get::<String>(&row, "role")?)?;
        Ok(Ok(Authenticated {
            caller: Caller::new(&name, &authority, kind, role),
            token_id: get(&row, "id")?,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names() {
        assert!(valid_user_name("ivan.petrov@fsb"));
        assert!(!valid_user_name(""));
        assert!(!valid_user_name("a b"));
        assert!(!valid_user_name("'; DROP TABLE users; --"));
    }
}

//! Every error the API returns: one code enum mapping to an HTTP status, a stable snake_case code
//! and a title, sent as an RFC 9457 problem document (`application/problem+json`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    MissingToken,
    InvalidToken,
    Forbidden,
    NotFound,
    RouteNotFound,
    MethodNotAllowed,
    MalformedJson,
    InvalidBody,
    InvalidParameter,
    PayloadTooLarge,
    InvalidFileName,
    InvalidListFile,
    EntityExists,
    RateLimited,
    RequestTimeout,
    StoreUnavailable,
    Overloaded,
    Internal,
    CouncilConflict,
    HandlingForbids,
    MislabelledAttachment,
    InvalidStix,
    NotAcceptable,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 23] = [
        ErrorCode::MissingToken,
        ErrorCode::InvalidToken,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::RouteNotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::MalformedJson,
        ErrorCode::InvalidBody,
        ErrorCode::InvalidParameter,
        ErrorCode::PayloadTooLarge,
        ErrorCode::InvalidFileName,
        ErrorCode::InvalidListFile,
        ErrorCode::EntityExists,
        ErrorCode::RateLimited,
        ErrorCode::RequestTimeout,
        ErrorCode::StoreUnavailable,
        ErrorCode::Overloaded,
        ErrorCode::Internal,
        ErrorCode::CouncilConflict,
        ErrorCode::HandlingForbids,
        ErrorCode::MislabelledAttachment,
        ErrorCode::InvalidStix,
        ErrorCode::NotAcceptable,
    ];

    pub fn status(self) -> StatusCode {
        use ErrorCode::*;
        match self {
            MissingToken | InvalidToken => StatusCode::UNAUTHORIZED,
            Forbidden => StatusCode::FORBIDDEN,
            NotFound | RouteNotFound => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            MalformedJson | InvalidParameter | InvalidFileName => StatusCode::BAD_REQUEST,
            InvalidBody | InvalidListFile => StatusCode::UNPROCESSABLE_ENTITY,
            PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            EntityExists | CouncilConflict => StatusCode::CONFLICT,
            RateLimited => StatusCode::TOO_MANY_REQUESTS,
            RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            StoreUnavailable | Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            Internal => StatusCode::INTERNAL_SERVER_ERROR,
            HandlingForbids => StatusCode::FORBIDDEN,
            MislabelledAttachment => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            InvalidStix => StatusCode::UNPROCESSABLE_ENTITY,
            NotAcceptable => StatusCode::NOT_ACCEPTABLE,
        }
    }

    pub fn code(self) -> &'static str {
        use ErrorCode::*;
        match self {
            MissingToken => "missing_token",
            InvalidToken => "invalid_token",
            Forbidden => "forbidden",
            NotFound => "not_found",
            RouteNotFound => "route_not_found",
            MethodNotAllowed => "method_not_allowed",
            MalformedJson => "malformed_json",
            InvalidBody => "invalid_body",
            InvalidParameter => "invalid_parameter",
            PayloadTooLarge => "payload_too_large",
            InvalidFileName => "invalid_file_name",
            InvalidListFile => "invalid_list_file",
            EntityExists => "entity_exists",
            RateLimited => "rate_limited",
            RequestTimeout => "request_timeout",
            StoreUnavailable => "store_unavailable",
            Overloaded => "overloaded",
            Internal => "internal",
            CouncilConflict => "council_conflict",
            HandlingForbids => "handling_forbids",
            MislabelledAttachment => "mislabelled_attachment",
            InvalidStix => "invalid_stix",
            NotAcceptable => "not_acceptable",
        }
    }

    pub fn title(self) -> &'static str {
        use ErrorCode::*;
        match self {
            MissingToken => "No bearer token was given",
            InvalidToken => "The bearer token is not valid",
            Forbidden => "Your role or authority does not allow this",
            NotFound => "No such record",
            RouteNotFound => "No such endpoint",
            MethodNotAllowed => "This endpoint does not take this method",
            MalformedJson => "The body is not valid JSON",
            InvalidBody => "The body does not have the expected shape",
            InvalidParameter => "A path or query parameter is invalid",
            PayloadTooLarge => "The body is larger than this endpoint accepts",
            InvalidFileName => "The file name is not acceptable",
            InvalidListFile => "The list file cannot be read",
            EntityExists => "The entity is on the list already",
            RateLimited => "Too many requests for this token",
            RequestTimeout => "The request took too long",
            StoreUnavailable => "The store is unavailable",
            Overloaded => "The server is handling as many requests as it can; retry shortly",
            Internal => "Internal error",
            CouncilConflict => "The council record's state does not allow this",
            HandlingForbids => "The message's handling code or TLP label does not allow this",
            MislabelledAttachment => "An attachment's content is not of its stated type",
            InvalidStix => "The STIX document is malformed",
            NotAcceptable => "This endpoint cannot answer in the media type asked for",
        }
    }

    /// The problem `type` URI: relative, resolved against the server, documented in OpenAPI.
    pub fn type_uri(self) -> String {
        format!("/api/problems/{}", self.code())
    }
}

/// An error answer: a code and a human-readable detail for this occurrence.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }
    pub fn not_found() -> Self {
        Self::new(
            ErrorCode::NotFound,
            "no record with this id is visible to you",
        )
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, detail)
    }
    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidParameter, detail)
    }
}

impl From<vigil_exchange::ExchangeError> for ApiError {
    fn from(e: vigil_exchange::ExchangeError) -> Self {
        use vigil_exchange::ExchangeError as X;
        let code = match &e {
            X::Invalid { .. } => ErrorCode::InvalidBody,
            X::TooLarge(_) => ErrorCode::PayloadTooLarge,
            X::Mislabelled(_) => ErrorCode::MislabelledAttachment,
            X::HandlingForbids(_) => ErrorCode::HandlingForbids,
            X::Stix(_) => ErrorCode::InvalidStix,
        };
        ApiError::new(code, e.to_string())
    }
}

impl From<vigil_store::StoreError> for ApiError {
    fn from(e: vigil_store::StoreError) -> Self {
        use vigil_store::StoreError as S;
        match e {
            S::Database(_) | S::Open { .. } => {
                // The database's message may name tables or values; it goes to the log only.
                tracing::error!(error = %e, "store error");
                ApiError::new(ErrorCode::StoreUnavailable, "the store did not answer")
            }
            S::EntityExists(_) => ApiError::new(ErrorCode::EntityExists, e.to_string()),
            S::CouncilRule(_) => ApiError::new(ErrorCode::InvalidBody, e.to_string()),
            S::CouncilConflict(_) => ApiError::new(ErrorCode::CouncilConflict, e.to_string()),
            S::NoSuchCouncilRecord(_) => ApiError::new(ErrorCode::NotFound, e.to_string()),
            S::NoSuchEntity(_) | S::NoSuchList(_) | S::NoSuchRevision(..) => ApiError::not_found(),
            S::UnknownAuthority(_)
            | S::AuthorityMismatch { .. }
            | S::OlderThanLatest { .. }
            | S::DuplicateEntity { .. }
            | S::ForeignEntity { .. }
            | S::BadUserName(_)
            | S::UserExists(_)
            | S::UnknownUser(_) => ApiError::new(ErrorCode::InvalidBody, e.to_string()),
            S::NoSuchMessage(_) | S::NoSuchNotice(_) => ApiError::not_found(),
            S::NoticeRule(rule) if rule.forbidden => ApiError::forbidden(rule.to_string()),
            S::NoticeRule(rule) => ApiError::new(ErrorCode::InvalidBody, rule.to_string()),
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::new(ErrorCode::Internal, "internal error")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let body = json!({
            "type": self.code.type_uri(),
            "title": self.code.title(),
            "status": status.as_u16(),
            "detail": self.detail,
            "code": self.code.code(),
        });
        let mut response = (status, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if matches!(self.code, ErrorCode::RateLimited | ErrorCode::Overloaded) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if matches!(self.code, ErrorCode::MissingToken | ErrorCode::InvalidToken) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

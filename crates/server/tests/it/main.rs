//! The API end to end, in process, on SQLite and PostgreSQL (`store_test!`).

mod access;
mod bad_input;
mod config;
mod council;
mod exchange;
mod imports;
mod manifests;
mod notices;
mod screening;
mod support;
mod tls;

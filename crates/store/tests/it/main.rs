//! Store tests: each runs on SQLite and on PostgreSQL (see `vigil_testkit::store_test!`).

mod access_audit;
mod council;
mod exchange;
mod federation;
mod register;

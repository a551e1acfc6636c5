//! ofac

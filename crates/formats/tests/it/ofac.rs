//! Tests of the ofac reader.

//! Tests of the national reader.

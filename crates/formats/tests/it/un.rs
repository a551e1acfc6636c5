//! Tests of the un reader.

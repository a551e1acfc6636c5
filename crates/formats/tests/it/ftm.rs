//! Tests of the ftm reader.

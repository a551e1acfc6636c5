//! ftm

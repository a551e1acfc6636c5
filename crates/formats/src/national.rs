//! national

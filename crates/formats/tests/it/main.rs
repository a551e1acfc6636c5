//! Integration tests of the list readers: one binary (faster to link), one module per format.

mod ftm;
mod national;
mod ofac;
mod un;

pub use vigil_testkit::shared_data;

//! The student: a tiny hashed-token classifier that mirrors the device's int8 op set.
//!
//! - [`config`]: [`StudentConfig`] (burn `Config`, saved as JSON beside the weights)
//! - [`model`]: the burn [`Student`] module and its forward pass
//! - [`batch`]: padded, masked token batches
//! - [`budget`]: artifact and arena bytes per board profile

pub mod batch;
pub mod budget;
pub mod config;
pub mod error;
pub mod model;

pub use batch::TokenBatch;
pub use budget::{check_profile, footprint, Footprint};
pub use config::{StudentConfig, StudentKind};
pub use error::StudentError;
pub use model::{argmax, Student, StudentTrace};

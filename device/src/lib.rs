//! edgekd-device: the no_std, no-alloc runtime that runs on the microcontroller.
#![cfg_attr(not(test), no_std)]

pub mod board;
pub mod engine;
pub mod learner;

pub mod server;
pub mod storage;

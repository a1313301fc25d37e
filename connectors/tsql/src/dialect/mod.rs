//! Target dialects.
pub mod oceanbase;

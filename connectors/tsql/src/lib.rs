//! sluice's T-SQL front end and its translation to OceanBase (MySQL mode).
//!
//! - [`decode`] turns script bytes (UTF-8, UTF-16, GBK/GB18030) into text;
//! - [`lexer`] and [`parser`] turn text into an [`ast::Script`], recovering
//!   from statements they cannot parse;
//! - [`lower`] builds the database-independent schema model
//!   ([`sluice_engine::schema::Catalog`]) from the tree;
//! - [`dialect::oceanbase`] converts the model to OceanBase DDL, each change
//!   recorded as a finding with a rule id;
//! - [`assess`] runs all of it over a folder of scripts and writes the report;
//! - [`synthetic`] generates large scripts for the benchmark.

pub mod assess;
pub mod ast;
pub mod decode;
pub mod dialect;
pub mod lexer;
pub mod lower;
pub mod parser;
pub mod synthetic;

pub use parser::{parse_data_type, parse_expression, parse_script, parse_script_owned};

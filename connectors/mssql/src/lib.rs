//! SQL Server connector (tiberius): catalog, snapshot, CDC source, reverse sink.

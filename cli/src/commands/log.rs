//! `sluice log`: status, inspect, replay.

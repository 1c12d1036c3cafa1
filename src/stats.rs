//! Dump and restore statistics (`stats-dump`, `stats-restore`).

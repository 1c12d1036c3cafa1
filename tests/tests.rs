//! The integration tests: one test binary (as ripgrep's), with a module per
//! file of `tests/` and one shared helper module, `common`. Every file
//! `tests/*.rs` but this one is a module here; `manifest::every_test_file_is_a_module`
//! fails when one is not, so that no file is left unbuilt. Run one file's
//! tests with `cargo test --test integration FILE::` (e.g. `mem::`).

mod common;

mod actionable_errors;
mod archive_commands;
mod archive_errors;
mod archive_search;
mod archives;
mod assets;
mod broken_input;
mod check;
mod check_kernel;
mod codec;
mod conventions;
mod coredump;
mod coredump_arm64;
mod damaged;
mod deep_tree;
mod diff;
mod diff_itself;
mod disk_bomb;
mod encode_dialects;
mod encode_stream;
mod error_escaping;
mod error_kinds;
mod error_reasons;
mod escape;
mod examples;
mod explore_containers;
mod explore_errors;
mod explore_facts;
mod explore_legacy;
mod explore_peers;
mod explore_table;
mod extract;
mod fifos;
mod files_root;
mod forensics;
mod go_dialect;
mod hostile_archives;
mod info;
mod inspect;
mod inspect_paths;
mod layout;
mod magic_table;
mod manifest;
mod mem;
mod mem_parent;
mod output;
mod output_safety;
mod pagesize;
mod progress;
mod proptest_roundtrip;
mod public_api;
mod raw_images;
mod release_4_2;
mod scaling;
mod scaling_fds;
mod sk_queues;
mod stats;
mod unknown_fields;
mod whole_archive;

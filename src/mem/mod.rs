//! A process's memory as CRIU saved it: pagemap runs resolved to pages files,
//! parent checkpoints and shared memory (`crit mem`).

//! Explorers: answers about the processes of one checkpoint directory
//! (`crit x DIR ps|fds|mems|rss|sk`), as plain data for tables or JSON.

//! `crit stats`.

use anyhow::Result;

use super::args::StatsArgs;

pub fn run(_args: &StatsArgs) -> Result<()> {
    anyhow::bail!("crit stats: not implemented yet")
}

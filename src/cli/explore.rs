//! `crit explore`.

use anyhow::Result;

use super::args::ExploreArgs;

pub fn run(_args: &ExploreArgs) -> Result<()> {
    anyhow::bail!("crit x: not implemented yet")
}

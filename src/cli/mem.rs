//! `crit mem`.

use anyhow::Result;

use super::args::MemArgs;

pub fn run(_args: &MemArgs) -> Result<()> {
    anyhow::bail!("crit mem: not implemented yet")
}

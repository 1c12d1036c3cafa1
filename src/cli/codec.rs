//! `decode`, `encode`, `info` and `show`: images ⇄ JSON.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use anyhow::Result;
use crit::convert::{self, DecodeOptions};
use crit::image::ImageReader;

use super::args::{DecodeArgs, EncodeArgs, InfoArgs, ShowArgs};
use super::output::{is_std, with_output};

fn open_image(input: Option<&Path>) -> Result<ImageReader<Box<dyn Read>>> {
    if is_std(input) {
        return Ok(ImageReader::new(
            Box::new(io::stdin().lock()) as Box<dyn Read>,
            "<stdin>",
            None,
        )?);
    }
    let path = input.expect("checked");
    if let Some((r, name, len)) = crit::source::open_archive_member(path)? {
        return Ok(ImageReader::new(Box::new(r) as Box<dyn Read>, name, Some(len))?);
    }
    let name = path.display().to_string();
    let f = File::open(path).map_err(|e| crit::Error::io(&name, e))?;
    let len = f.metadata().map_err(|e| crit::Error::io(&name, e))?.len();
    Ok(ImageReader::new(Box::new(f) as Box<dyn Read>, name, Some(len))?)
}

fn decode_to(input: Option<&Path>, output: Option<&Path>, opts: DecodeOptions) -> Result<()> {
    let mut reader = open_image(input)?;
    with_output(output, input, |out| {
        convert::decode_image(&mut reader, &mut *out, opts)?;
        out.write_all(b"\n").map_err(|e| crit::Error::io("<output>", e))?;
        Ok(())
    })
}

pub fn decode(args: &DecodeArgs) -> Result<()> {
    let opts = DecodeOptions {
        pretty: args.pretty,
        no_payload: args.nopl,
    };
    decode_to(args.input.as_deref(), args.output.as_deref(), opts)
}

pub fn show(args: &ShowArgs) -> Result<()> {
    decode_to(
        Some(&args.input),
        None,
        DecodeOptions {
            pretty: true,
            no_payload: args.nopl,
        },
    )
}

pub fn encode(args: &EncodeArgs) -> Result<()> {
    let input = args.input.as_deref();
    let (reader, name): (Box<dyn Read>, String) = if is_std(input) {
        (Box::new(io::stdin().lock()), "<stdin>".into())
    } else {
        let path = input.expect("checked");
        let name = path.display().to_string();
        (Box::new(File::open(path).map_err(|e| crit::Error::io(&name, e))?), name)
    };
    with_output(args.output.as_deref(), input, |out| {
        Ok(convert::encode_image(reader, &name, out)?)
    })
}

pub fn info(args: &InfoArgs) -> Result<()> {
    let mut reader = open_image(Some(&args.input))?;
    let info = convert::image_info(&mut reader)?;
    // The Python CRIT prints this with indent=4.
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{{\n    \"magic\": \"{}\",\n    \"count\": {}\n}}",
        info.magic, info.count
    )
    .map_err(|e| crit::Error::io("<output>", e))?;
    Ok(())
}

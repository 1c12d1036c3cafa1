//! `decode`, `encode`, `info` and `show`: images ⇄ JSON.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use anyhow::{bail, Result};
use crit::image::ImageReader;
use crit::image_json::{self, DecodeOptions};
use crit::raw_image::{self, RawKind};

use super::args::{DecodeArgs, EncodeArgs, InfoArgs, ShowArgs};
use super::cleanup;
use super::output::{is_std, with_output};

/// The input as a plain reader, its name for messages, and its size if known.
fn open_input(input: Option<&Path>) -> Result<(Box<dyn Read>, String, Option<u64>)> {
    if is_std(input) {
        return Ok((Box::new(io::stdin().lock()), "<stdin>".into(), None));
    }
    let path = input.expect("checked");
    super::hint::image_not_directory(path)?;
    if let Some((r, name, len)) = crit::source::open_archive_member(path)? {
        return Ok((Box::new(r), name, Some(len)));
    }
    let name = path.display().to_string();
    let f = File::open(path).map_err(|e| crit::Error::io(&name, e))?;
    let len = f.metadata().map_err(|e| crit::Error::io(&name, e))?.len();
    Ok((Box::new(f), name, Some(len)))
}

/// A protobuf image, or the raw image (netlink dump, ruleset text, tmpfs tar)
/// the first bytes or the file name say it is.
enum Opened {
    Image(ImageReader<Box<dyn Read>>),
    Raw(RawKind, Box<dyn Read>, String),
}

fn open_image(input: Option<&Path>) -> Result<Opened> {
    let (reader, name, len) = open_input(input)?;
    let (kind, reader) = raw_image::sniff(&name, reader)?;
    let reader: Box<dyn Read> = Box::new(reader);
    Ok(match kind {
        Some(kind) => Opened::Raw(kind, reader, name),
        None => Opened::Image(ImageReader::new(reader, name, len)?),
    })
}

/// `--extract DIR` and its budget.
struct ExtractArgs<'a> {
    dir: Option<&'a Path>,
    max: u64,
}

fn decode_to(input: Option<&Path>, output: Option<&Path>, opts: DecodeOptions, extract: ExtractArgs) -> Result<()> {
    let mut reader = match open_image(input)? {
        Opened::Image(_) if extract.dir.is_some() => {
            bail!("--extract unpacks tmpfs-dev-N.tar.gz.img images only")
        }
        Opened::Image(r) => r,
        Opened::Raw(kind, reader, name) => {
            let ropts = raw_image::RawOptions {
                pretty: opts.pretty,
                extract: extract.dir.map(|d| raw_image::extract::Extract {
                    dir: d.to_path_buf(),
                    max_bytes: extract.max,
                    on_staging: Some(on_staging),
                }),
            };
            let mut skipped = Vec::new();
            with_output(output, input, |out| {
                skipped = raw_image::decode(kind, reader, &name, &mut *out, &ropts)?.skipped;
                out.write_all(b"\n").map_err(|e| crit::Error::io("<output>", e))?;
                Ok(())
            })?;
            for s in skipped {
                eprintln!("crit: warning: {name}: not extracted: {s}");
            }
            return Ok(());
        }
    };
    with_output(output, input, |out| {
        image_json::decode_image(&mut reader, &mut *out, opts)?;
        out.write_all(b"\n").map_err(|e| crit::Error::io("<output>", e))?;
        Ok(())
    })
}

pub fn decode(args: &DecodeArgs) -> Result<()> {
    if is_std(args.input.as_deref()) {
        super::hint::image_not_from_terminal("decode");
    }
    let opts = DecodeOptions {
        pretty: args.pretty,
        no_payload: args.nopl,
    };
    decode_to(
        args.input.as_deref(),
        args.output.as_deref(),
        opts,
        ExtractArgs {
            dir: args.extract.as_deref(),
            max: args.max_extract,
        },
    )
}

pub fn show(args: &ShowArgs) -> Result<()> {
    decode_to(
        Some(&args.input),
        None,
        DecodeOptions {
            pretty: true,
            no_payload: args.nopl,
        },
        ExtractArgs {
            dir: args.extract.as_deref(),
            max: args.max_extract,
        },
    )
}

/// The directory an extraction fills is removed should a signal end us
/// first; its move into place completes before one does.
fn on_staging(event: raw_image::extract::Staging<'_>) {
    use raw_image::extract::Staging;
    use std::sync::Mutex;
    static HELD: Mutex<(Option<cleanup::Registered>, Option<cleanup::Hold>)> = Mutex::new((None, None));
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    match event {
        Staging::Busy => held.1 = Some(cleanup::hold()),
        Staging::Started(dir) => *held = (Some(cleanup::register(dir)), None),
        Staging::Ended => *held = (None, None),
    }
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
        Ok(image_json::encode_image(reader, &name, out)?)
    })
}

pub fn info(args: &InfoArgs) -> Result<()> {
    // The Python CRIT prints this with indent=4.
    let text = match open_image(Some(&args.input))? {
        Opened::Image(mut reader) => {
            let info = image_json::image_info(&mut reader)?;
            format!(
                "{{\n    \"magic\": \"{}\",\n    \"count\": {}\n}}",
                info.magic, info.count
            )
        }
        Opened::Raw(kind, reader, name) => {
            let info = raw_image::info(kind, reader, &name)?;
            format!(
                "{{\n    \"magic\": \"{}\",\n    \"count\": {},\n    \"size\": {}\n}}",
                info.magic, info.count, info.size
            )
        }
    };
    let mut out = io::stdout().lock();
    writeln!(out, "{text}").map_err(|e| crit::Error::io("<output>", e))?;
    Ok(())
}

//! Compiles `proto/*.proto` without a system `protoc`: protox parses them into a
//! descriptor set, which is embedded (for the descriptor-driven JSON codec) and
//! handed to prost-build (for the typed structs the explorers use).
use std::{env, fs, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let mut files: Vec<PathBuf> = fs::read_dir("proto")?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| p.extension().is_some_and(|e| e == "proto"));
    files.sort();

    let mut compiler = protox::Compiler::new(["proto"])?;
    compiler
        .include_imports(true)
        .include_source_info(false)
        .open_files(&files)?;

    let out = PathBuf::from(env::var("OUT_DIR")?);
    // Encoded by protox itself: prost_types would drop the `(criu)` extension options.
    fs::write(out.join("criu.fds"), compiler.encode_file_descriptor_set())?;
    let fds = compiler.file_descriptor_set();

    prost_build::Config::new().out_dir(&out).compile_fds(fds)?;
    Ok(())
}

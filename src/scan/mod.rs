//! The one streaming pass over a package: sniff the container, inflate, walk
//! the outer tar (or zip), walk every image archive inside while it streams
//! past, and collect the facts the rules judge.

pub(crate) mod archive;
pub(crate) mod images;
mod zip;

mod fault;
mod package;
mod visit;

pub use fault::Fault;
use fault::{TarFault, Whole};
pub use package::*;
use visit::visit;

use std::io::{self, Cursor, Read};

use crate::container::gzip::{self, Chunked, Fill, StreamError};
use crate::container::source::{read_full, ByteSource, CurrentMember, Progress, SourceReader};
use crate::container::tarwalk::{TarError, TarWalker, BLOCK};

/// Runs the pass. Never fails: every problem ends up in the returned facts.
pub fn scan<'a>(source: &'a dyn ByteSource, file_name: &str, options: &Options, progress: Option<Progress<'a>>) -> Package {
    scan_with(source, file_name, options, progress, None)
}

/// [`scan`], with the gzip layer of a gzip package run by `inflater` (which
/// reads `source` on another thread) instead of here.
pub fn scan_with<'a>(
    source: &'a dyn ByteSource,
    file_name: &str,
    options: &Options,
    progress: Option<Progress<'a>>,
    inflater: Option<Refill<'_>>,
) -> Package {
    let mut pkg = Package { file_name: file_name.to_string(), size: source.len(), ..Default::default() };
    let mut head = [0u8; BLOCK as usize];
    let n = match read_full(&mut SourceReader::new(source, None), &mut head) {
        Ok(n) => n,
        Err(e) => {
            pkg.stop = Some(Stop::Io(e.to_string()));
            return pkg;
        }
    };
    let container = Container::sniff(&head[..n]);
    pkg.container = Some(container);
    // The large member being walked, named to `progress` by the reader.
    let current = CurrentMember::default();
    let mut reader = SourceReader::new(source, progress.map(|p| p as Progress<'_>)).naming(&current);
    match container {
        Container::Gzip => match inflater {
            Some(refill) => walk_gzip(&mut pkg, Chunked::new(refill), options, &current),
            None => walk_gzip(&mut pkg, gzip::inflate_here(reader), options, &current),
        },
        Container::Tar => {
            walk_tar(&mut pkg, &mut reader, options, &current);
            pkg.uncompressed_bytes = pkg.size;
            pkg.bytes_read = reader.bytes_read();
        }
        Container::Zip => {
            zip::walk(&mut pkg, &mut reader, options, &current);
            pkg.bytes_read = reader.bytes_read().min(pkg.size);
        }
        Container::Compressed(_) | Container::Empty | Container::Unknown => {}
    }
    pkg
}

fn walk_gzip<F: FnMut(&mut [u8]) -> Fill>(pkg: &mut Package, mut gz: Chunked<F>, options: &Options, current: &CurrentMember) {
    walk_inflated(pkg, &mut gz, options, current);
    pkg.trailing = gz.trailing().cloned();
    pkg.bytes_read = gz.compressed_position();
}

fn walk_inflated<F: FnMut(&mut [u8]) -> Fill>(pkg: &mut Package, gz: &mut Chunked<F>, options: &Options, current: &CurrentMember) {
    let head = match archive::read_head(gz, BLOCK as usize) {
        Ok(h) => h,
        Err(e) => {
            pkg.stop = Some(stream_failure(e, Some(gz.compressed_position()), None));
            return;
        }
    };
    let inner = Container::sniff(&head);
    if inner == Container::Gzip {
        // Double-compressed (PKG002): the import fails, but what the inner
        // stream holds is judged too, so one pass reports everything.
        pkg.inner_container = Some(inner);
        let mut inner_gz = flate2::read::MultiGzDecoder::new(Cursor::new(head).chain(&mut *gz));
        match archive::read_head(&mut inner_gz, BLOCK as usize) {
            Ok(h) if Container::sniff(&h) == Container::Tar => walk_tar(pkg, &mut Cursor::new(h).chain(&mut inner_gz), options, current),
            Ok(_) => {}
            Err(e) => pkg.stop = Some(stream_failure(e, None, None)),
        }
    } else if inner != Container::Tar {
        pkg.inner_container = Some(inner);
        drain(pkg, gz);
        return;
    } else {
        walk_tar(pkg, &mut Cursor::new(head).chain(&mut *gz), options, current);
    }
    if pkg.stop.is_none() {
        drain(pkg, gz);
    }
    pkg.uncompressed_bytes = gz.inflated();
}

/// Reads the gzip stream to its end, so its checksums and what follows it are
/// checked too.
fn drain<F: FnMut(&mut [u8]) -> Fill>(pkg: &mut Package, gz: &mut Chunked<F>) {
    if let Err(e) = io::copy(gz, &mut io::sink()) {
        pkg.stop = Some(stream_failure(e, Some(gz.compressed_position()), None));
    }
    pkg.uncompressed_bytes = gz.inflated();
}

fn stream_failure(e: io::Error, pos: Option<u64>, member: Option<String>) -> Stop {
    let fault = match StreamError::from(e) {
        StreamError::Limit { inflated, compressed } => return Stop::InflateLimit { inflated, compressed },
        StreamError::Io(message) => return Stop::Io(message),
        StreamError::Eof(_) => Fault::StreamEnds,
        StreamError::Damaged(message) => Fault::StreamDamaged(message),
    };
    Stop::Damaged { pos, member, fault }
}

/// Walks the outer tar; `current` names its large members while they are read.
fn walk_tar<R: Read>(pkg: &mut Package, r: R, options: &Options, current: &CurrentMember) {
    walk_members(pkg, r, options, current);
    current.leave();
}

fn walk_members<R: Read>(pkg: &mut Package, r: R, options: &Options, current: &CurrentMember) {
    pkg.walked = true;
    let mut walker = TarWalker::new(r);
    loop {
        let member = match walker.next_member() {
            Ok(Some(m)) => m,
            Ok(None) => return,
            Err(e) => {
                pkg.stop = Some(tar_stop(e, None));
                return;
            }
        };
        let result =
            visit(pkg, &member.path, member.kind, member.size, member.link.as_deref(), member.pos, &mut walker.data(), options, current);
        if let Err(e) = result {
            pkg.stop = Some(tar_stop(walker.fail(e), Some(member.path)));
            return;
        }
    }
}

fn tar_stop(e: TarError, member: Option<String>) -> Stop {
    match TarFault::new(e, Whole::Package) {
        Err(below) => stream_failure(below, None, member),
        Ok(TarFault { pos, fault: fault @ Fault::TooLarge { .. }, .. }) => Stop::Limit { pos, fault },
        Ok(TarFault { pos, member: path, fault }) => {
            let member = if fault == Fault::PackageCut { path.or(member) } else { path };
            Stop::TarDamaged { pos, member, fault }
        }
    }
}

//! The repaired package's tar, written through one gzip stream as GNU tar
//! lays it out.

use std::io::{self, Read, Write};

use flate2::write::GzEncoder;

use crate::container::tarwalk::BLOCK;

/// GNU tar pads the archive to a record of 20 blocks.
const RECORD: u64 = 20 * BLOCK;
/// Member data is copied through a buffer of this size.
const COPY_BUFFER: usize = 256 << 10;

/// The output tar, through one gzip stream.
pub(super) struct TarOut<'w> {
    gz: GzEncoder<&'w mut dyn Write>,
    len: u64,
}

impl<'w> TarOut<'w> {
    pub fn new(gz: GzEncoder<&'w mut dyn Write>) -> TarOut<'w> {
        TarOut { gz, len: 0 }
    }

    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.gz.write_all(bytes)?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Copies `size` bytes of member data and pads them to a block.
    pub fn data(&mut self, data: &mut dyn Read, size: u64) -> io::Result<()> {
        copy_exact(data, &mut self.gz, size)?;
        self.len += size;
        self.pad(BLOCK)
    }

    fn pad(&mut self, to: u64) -> io::Result<()> {
        let n = (to - self.len % to) % to;
        self.write(&vec![0; n as usize])
    }

    /// The end-of-archive blocks and the record padding, as GNU tar ends.
    pub fn finish(mut self) -> io::Result<()> {
        self.write(&[0; 2 * BLOCK as usize])?;
        self.pad(RECORD)?;
        self.gz.try_finish()
    }
}

/// Copies exactly `size` bytes; fewer is an error (the input changed or is
/// damaged since it was checked).
pub(super) fn copy_exact(from: &mut dyn Read, to: &mut dyn Write, size: u64) -> io::Result<()> {
    let mut buf = vec![0; COPY_BUFFER.min(size as usize)];
    let mut left = size;
    while left > 0 {
        let want = left.min(buf.len() as u64) as usize;
        let n = from.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the input ends earlier than when it was checked"));
        }
        to.write_all(&buf[..n])?;
        left -= n as u64;
    }
    Ok(())
}

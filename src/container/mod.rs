//! Bytes → members: the package's containers. The file as a random-access
//! [`source`], its [`gzip`] stream (with its [`crc`]), the [`tarwalk`] over tar headers, and the
//! member [`paths`] as the importer's extraction sees them, and the
//! members of a zip upload ([`zip_member`]).

pub mod crc;
pub mod gzip;
pub mod paths;
pub mod source;
pub mod tarwalk;
pub mod zip_member;

//! Member bytes → facts: `metadata.json` read as the importer's Go decoder
//! reads it ([`metadata`], with the Go types in `model`) and image
//! references parsed as containerd and Docker parse them (`reference`).

pub mod metadata;
pub(crate) mod model;
pub(crate) mod reference;

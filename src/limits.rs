//! Every bound on what one check may cost, in one place (SECURITY.md's table
//! points here). Each keeps memory or time from growing with a hostile
//! package; a check that hits one says so in a finding.

// ---- Inflating -------------------------------------------------------------

/// Below this many inflated bytes the bomb guard never fires: real packages
/// and the project's own multi-GB zero-filled test packages stay under it.
pub const BOMB_MIN_INFLATED: u64 = 16 << 30;
/// Past [`BOMB_MIN_INFLATED`], a stream that inflates more than this many
/// times the bytes read is a gzip bomb, not an export: image layers inside a
/// real package are already compressed or compress 2 to 5 times at most.
pub const BOMB_MAX_RATIO: u64 = 200;
/// A name or comment in a gzip header longer than this is refused (as flate2 does).
pub const MAX_HEADER_FIELD: usize = 65_535;

// ---- Tar headers -----------------------------------------------------------

/// GNU long names, long link targets and PAX records larger than this are
/// refused: real ones are a few hundred bytes; a crafted one could be GBs.
pub const MAX_EXTENSION_BYTES: u64 = 1 << 20;

// ---- The pass over the package ---------------------------------------------

/// metadata.json larger than this is not parsed (real ones are well under
/// 1 MiB, even with Kubernetes resources).
pub const MAX_METADATA_BYTES: u64 = 16 << 20;
/// Entries listed in the report for display.
pub const MAX_DISPLAY_ENTRIES: usize = 5_000;
/// Outer members at depth 0 to 2 kept for the layout rules; real packages
/// have a handful.
pub const MAX_SHALLOW_MEMBERS: usize = 10_000;
/// Unsafe members recorded (LAY006, LAY010, IMG011); one is enough to
/// refuse a package.
pub const MAX_UNSAFE_RECORDED: usize = 100;
/// Candidate metadata.json files kept (one per top-level directory).
pub const MAX_METADATA_CANDIDATES: usize = 4;
/// Image archives walked (any `*.tar` near the top). The v5 layout has one
/// per component; past this many the others are skipped, so a package of a
/// million tiny tars cannot multiply what each walk keeps.
pub const MAX_IMAGE_ARCHIVES: usize = 1_000;

// ---- Zip uploads -----------------------------------------------------------

/// Symlink targets longer than this are not read (they are stored as data).
pub const MAX_LINK_TARGET: u64 = 4096;
/// Files recorded whose directory the importer's unzip would not have made,
/// and members recorded with a compression method it does not know.
pub const MAX_ORPHANS: usize = 20;
/// Directories remembered for that check (a real package has a handful).
pub const MAX_DIRS: usize = 10_000;

// ---- Image archives --------------------------------------------------------

/// A JSON member (manifest, index, config) larger than this is not parsed:
/// real ones are a few KiB, a config with a long history some hundred KiB.
pub const MAX_JSON_MEMBER: u64 = 4 << 20;
/// JSON bytes parsed for all the image archives of a package together.
pub const MAX_JSON_BYTES: u64 = 64 << 20;
/// JSON values (see `facts::metadata::json_nodes`) parsed for all the image archives of a
/// package together. Parsed, a value takes up to ~160 bytes however short
/// its text, so this, not the byte count, bounds their memory (~160 MB); 200
/// images with long histories have some 250,000.
pub const MAX_JSON_NODES: usize = 1_000_000;
/// Members recorded per image archive; past it the rest is walked but not
/// kept (a `docker save` of 200 images with 50 layers has about 40,000).
pub const MAX_ARCHIVE_MEMBERS: usize = 100_000;
/// Members recorded for all the image archives of a package together
/// (~200 bytes each).
pub const MAX_MEMBERS_KEPT: usize = 500_000;

// ---- Images ----------------------------------------------------------------

/// Images per archive considered; past it the archive is reported as too
/// large to judge rather than walked image by image.
pub const MAX_IMAGES: usize = 10_000;
/// Nested OCI indexes followed (an index of indexes of manifests).
pub const MAX_INDEX_DEPTH: usize = 4;

// ---- metadata.json ---------------------------------------------------------

/// Type errors reported per metadata.json; past this, one line says how many
/// more there are.
pub const MAX_TYPE_ERRORS: usize = 50;
/// Nesting depth accepted in any JSON member. serde_json refuses deeper
/// documents (its recursion limit is 128) before they can exhaust the stack.
pub const MAX_JSON_DEPTH: usize = 128;
/// Values (counted by `facts::metadata::json_nodes`) accepted in metadata.json. Parsed, a
/// value takes up to ~160 bytes however short its text (`{"a":0},` is 8
/// bytes and 3 nodes), so this bounds the parsed template near 160 MB; a
/// real template of 100 components has some 30,000.
pub const MAX_METADATA_NODES: usize = 1_000_000;

// ---- Findings --------------------------------------------------------------

/// Members or images listed one by one in a finding; past it the finding
/// says how many more.
pub const MAX_LISTED: usize = 20;
/// Candidate names compared when suggesting the closest one.
pub const MAX_SUGGESTION_CANDIDATES: usize = 1_000;
/// Unused images listed; real packages have none or a few.
pub const MAX_UNUSED_LISTED: usize = 20;

// ---- Repair ----------------------------------------------------------------

/// The header blocks of one member held at most (GNU long names and PAX
/// records are bounded by the walk to 1 MiB each).
pub const MAX_HEADER_BYTES: usize = 8 << 20;

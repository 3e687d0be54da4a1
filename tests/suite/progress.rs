//! The progress hook the command line draws its line from: bytes read and,
//! while a large member is read, its name.

use crate::fixtures::{Package, Shape, Tar};
use ramcheck::Options;

/// The members the progress hook is told of while `source` is checked, in
/// order, each once in a row (`None`: no large member is being read).
fn named_while_read(source: Vec<u8>, name: &str) -> Vec<Option<String>> {
    let mut named: Vec<Option<String>> = Vec::new();
    let mut hook = |p: ramcheck::ProgressInfo<'_>| {
        let member = p.member.map(str::to_string);
        if named.last() != Some(&member) {
            named.push(member);
        }
    };
    ramcheck::check(&source, name, &Options { deep: false }, Some(&mut hook));
    named
}

/// gzip whose deflate stores the bytes: every member's bytes are read from
/// the file, not a few KiB of zeros compressed.
fn stored_gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    std::io::Write::write_all(&mut gz, data).unwrap();
    gz.finish().unwrap()
}

/// The files of `tar` in a zip that stores them.
fn stored_zip(tar: &Tar) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (path, node) in &tar.members {
        if let crate::fixtures::Node::File(d) = node {
            w.start_file(path.as_str(), opts).unwrap();
            std::io::Write::write_all(&mut w, d).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn progress_names_the_large_member_being_read_and_no_other() {
    // 5 MiB, then exactly the threshold, then 9 MiB: the hook (every 4 MiB)
    // is called in each.
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24)
        .with_file("a-small.bin", vec![1; 5 << 20])
        .with_file("b-large.bin", vec![2; ramcheck::LARGE_MEMBER as usize])
        .with_file("c-after.bin", vec![3; 9 << 20]);
    let want = vec![None, Some("app-1.0-ram/b-large.bin".to_string()), None];
    assert_eq!(named_while_read(p.tar_bytes(), "app-1.0-ram.tar"), want, "tar");
    assert_eq!(named_while_read(stored_gzip(&p.tar_bytes()), &p.file_name()), want, "tar.gz");
    assert_eq!(named_while_read(stored_zip(&p.tar), "app-1.0-ram.zip"), want, "zip");
    // One byte short of the threshold: never named.
    let p = Package::valid("app", "1.0", 1, 0, Shape::Docker24).with_file("b.bin", vec![2; ramcheck::LARGE_MEMBER as usize - 1]);
    assert_eq!(named_while_read(stored_gzip(&p.tar_bytes()), &p.file_name()), vec![None]);
}

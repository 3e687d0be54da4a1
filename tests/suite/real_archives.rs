//! Cross-checks the core against image archives written by real tools:
//! umoci builds an OCI image, skopeo writes it as a `docker save`-shaped
//! archive and as an OCI archive. (scripts/test installs both from Debian.)

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixtures::{gzip, template, Tar};
use ramcheck::{Options, Report, Severity};

fn run(dir: &Path, program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} is required for this test (scripts/test installs it): {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// An OCI layout with one image built by umoci, and skopeo's two archives of it.
fn real_archives() -> (Vec<u8>, Vec<u8>) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("real-archives");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    run(&dir, "umoci", &["init", "--layout", "oci"]);
    run(&dir, "umoci", &["new", "--image", "oci:web"]);
    run(&dir, "umoci", &["unpack", "--rootless", "--image", "oci:web", "bundle"]);
    std::fs::create_dir_all(dir.join("bundle/rootfs/app")).unwrap();
    std::fs::write(dir.join("bundle/rootfs/app/index.html"), "<h1>hello</h1>\n".repeat(100)).unwrap();
    run(&dir, "umoci", &["repack", "--image", "oci:web", "bundle"]);
    run(&dir, "umoci", &["config", "--image", "oci:web", "--config.cmd", "/bin/sh", "--architecture", "amd64", "--os", "linux"]);
    run(&dir, "skopeo", &["copy", "oci:oci:web", "docker-archive:docker.tar:goodrain.me/app/svc0:1.0"]);
    run(&dir, "skopeo", &["copy", "oci:oci:web", "oci-archive:oci.tar:1.0"]);
    (std::fs::read(dir.join("docker.tar")).unwrap(), std::fs::read(dir.join("oci.tar")).unwrap())
}

fn package(archive: Vec<u8>, deep: bool) -> Report {
    let mut t = template("app", "1.0", 1, 0);
    t["apps"][0]["share_image"] = "goodrain.me/app/svc0:1.0".into();
    let tar = Tar::new()
        .dir("app-1.0-ram/")
        .file("app-1.0-ram/metadata.json", serde_json::to_vec_pretty(&t).unwrap())
        .file("app-1.0-ram/component-images.tar", archive);
    ramcheck::check(&gzip(&tar.gnu_bytes()), "app-1.0-ram.tar.gz", &Options { deep }, None)
}

fn problems(r: &Report) -> Vec<(&str, Severity)> {
    r.findings.iter().filter(|f| f.severity != Severity::Info).map(|f| (f.code.as_str(), f.severity)).collect()
}

#[test]
fn skopeo_archives_are_judged_like_the_runtimes_judge_them() {
    let (docker, oci) = real_archives();

    // docker-archive: manifest.json with RepoTags, layers as <digest>.tar
    // with <id>/layer.tar symlinks. It imports everywhere, digests hold.
    let r = package(docker, true);
    assert_eq!(problems(&r), vec![], "{:#?}", r.findings);
    assert_eq!(r.images[0].images[0].tags, vec!["goodrain.me/app/svc0:1.0"]);
    assert_eq!(r.images[0].images[0].platform.as_deref(), Some("linux/amd64"));

    // oci-archive: no manifest.json (Docker before 25 refuses it) and only
    // the ref-name annotation "1.0", which containerd takes as the whole
    // image name, so the component's image is not found there.
    let r = package(oci, true);
    assert_eq!(problems(&r), vec![("XRF001", Severity::Error), ("IMG003", Severity::Error)], "{:#?}", r.findings);
    assert_eq!(r.findings[0].fails_on, ramcheck::Targets::CONTAINERD);
    assert_eq!(r.findings[1].fails_on, ramcheck::Targets::DOCKER);
}

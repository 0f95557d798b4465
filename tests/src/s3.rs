//! A real S3-compatible server process for storage tests: `s3s-fs` (from crates.io, installed by
//! `make test-tools`) on a free loopback port, keeping its buckets as folders in a temporary
//! folder, with one access key. It is stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::backend::content::store::{S3Secret, StorageConfig};

/// The bucket every test server has.
pub const BUCKET: &str = "mesh-content";
const ACCESS_KEY: &str = "mesh-portal-tests";
const SECRET_KEY: &str = "mesh-portal-tests-secret";

/// The `s3s-fs` program: `MESH_PORTAL_TEST_S3S_FS`, or the one cargo installed.
fn program() -> PathBuf {
    std::env::var_os("MESH_PORTAL_TEST_S3S_FS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("CARGO_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
                .expect("CARGO_HOME or HOME is set");
            home.join("bin/s3s-fs")
        })
}

/// A running S3-compatible server.
pub struct S3Server {
    pub endpoint: String,
    root: tempfile::TempDir,
    child: Child,
}

impl S3Server {
    /// Starts the server on a free port with an empty bucket, and waits until it accepts
    /// connections (10 s at most).
    pub fn start() -> Self {
        let program = program();
        assert!(
            program.exists(),
            "{} is missing: run `make test-tools` to install s3s-fs",
            program.display()
        );
        let root = tempfile::tempdir().expect("temporary folder");
        std::fs::create_dir(root.path().join(BUCKET)).expect("the bucket's folder");
        let port = crate::smtp::free_port();
        let child = Command::new(&program)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("s3s-fs starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "s3s-fs did not start listening on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            root,
            child,
        }
    }

    /// The portal's storage settings for this server, with every key under `prefix`.
    pub fn config(&self, prefix: &str) -> StorageConfig {
        StorageConfig::S3 {
            bucket: BUCKET.to_owned(),
            prefix: prefix.to_owned(),
            endpoint: Some(self.endpoint.clone()),
            region: "eu-west-2".to_owned(),
            access_key_id: ACCESS_KEY.to_owned(),
            secret_access_key: S3Secret(SECRET_KEY.to_owned()),
        }
    }

    /// The same as environment variables, for a server process.
    pub fn env(&self, prefix: &str) -> Vec<(String, String)> {
        [
            ("MESH_PORTAL_STORAGE_URL", format!("s3://{BUCKET}/{prefix}")),
            ("MESH_PORTAL_S3_ENDPOINT", self.endpoint.clone()),
            ("MESH_PORTAL_S3_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
            ("MESH_PORTAL_S3_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// Every file the server keeps on disk (objects, and the parts of unfinished uploads), so a
    /// test can see that nothing is left behind. Not its metadata side files
    /// (`.bucket-….metadata.json`, `.internal.json`), which s3s-fs keeps after an object is
    /// deleted: they hold no content.
    pub fn files_on_disk(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, found);
                } else if !is_side_file(&path) {
                    found.push(path);
                }
            }
        }
        let mut found = Vec::new();
        walk(self.root.path(), &mut found);
        found.sort();
        found
    }
}

fn is_side_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with(".bucket-")
        && (name.ends_with(".metadata.json") || name.ends_with(".internal.json"))
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

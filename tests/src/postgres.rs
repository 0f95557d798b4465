//! A throw-away PostgreSQL cluster for the test run, and a fresh database per test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sqlx::Connection;
use tokio::sync::OnceCell;

/// The admin URL of the cluster (or of the server named by `MESH_PORTAL_TEST_POSTGRES_URL`).
static ADMIN_URL: OnceCell<String> = OnceCell::const_new();

/// Creates an empty database and returns its URL.
pub async fn fresh_database() -> String {
    let admin = ADMIN_URL
        .get_or_init(|| async {
            match std::env::var("MESH_PORTAL_TEST_POSTGRES_URL") {
                Ok(url) if !url.is_empty() => url,
                _ => tokio::task::spawn_blocking(start_cluster)
                    .await
                    .expect("cluster start-up panicked"),
            }
        })
        .await;
    let name = crate::unique_name("mesh_portal_test");
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(admin)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    let (base, _) = admin.rsplit_once('/').expect("admin URL has a database");
    format!("{base}/{name}")
}

fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed under /usr/lib/postgresql (apt-get install postgresql)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL version with initdb")
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn postgres_uid_gid() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .expect("id postgres");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("the postgres user exists")
    };
    (id("-u"), id("-g"))
}

/// Runs a PostgreSQL program, as the `postgres` user when this process is root.
fn pg_command(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start_cluster() -> String {
    let bin = bin_dir();
    let as_root = running_as_root();
    let dir = std::env::temp_dir().join(crate::unique_name("mesh-portal-pg"));
    let data = dir.join("data");
    std::fs::create_dir_all(&dir).expect("cluster folder");
    if as_root {
        let (uid, gid) = postgres_uid_gid();
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).expect("give the folder to postgres");
    }
    let status = pg_command(as_root, &bin.join("initdb"))
        .args(["-D"])
        .arg(&data)
        .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run initdb");
    assert!(status.success(), "initdb failed");

    let port = free_port();
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=300",
        dir.display()
    );
    let status = pg_command(as_root, &bin.join("pg_ctl"))
        .arg("-D")
        .arg(&data)
        .args(["-o", &options, "-l"])
        .arg(dir.join("postgres.log"))
        .args(["-w", "-t", "60", "start"])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run pg_ctl start");
    assert!(
        status.success(),
        "PostgreSQL did not start; see {}",
        dir.join("postgres.log").display()
    );

    // The watcher outlives this process by design: once the test process has gone, it stops the
    // cluster and removes its folder.
    let stop = if as_root {
        format!("runuser -u postgres -- {}", bin.join("pg_ctl").display())
    } else {
        bin.join("pg_ctl").display().to_string()
    };
    let watcher = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
         {stop} -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        data = data.display(),
        dir = dir.display(),
    );
    #[expect(
        clippy::zombie_processes,
        reason = "the watcher must outlive this process; it is never waited for"
    )]
    let _watcher = Command::new("sh")
        .args(["-c", &watcher])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the cluster watcher");

    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    wait_until_ready(&url);
    url
}

fn wait_until_ready(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    sqlx::any::install_default_drivers();
    loop {
        let ok = runtime.block_on(async { sqlx::AnyConnection::connect(url).await.is_ok() });
        if ok {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "PostgreSQL at {url} did not answer in 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

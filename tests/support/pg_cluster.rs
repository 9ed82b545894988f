//! A private PostgreSQL cluster for fault tests that stop and restart the
//! server: its own data directory in a temporary folder, on a free
//! 127.0.0.1 port, trust authentication. Never the shared server the other
//! tests use. Stopped (immediate) and its folder removed when dropped, also
//! when a test panics.
//!
//! Debian's server binaries (`/usr/lib/postgresql/<version>/bin`) refuse to
//! run as root, so as root every command runs as the `postgres` OS user,
//! which owns the folder.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct PgCluster {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    pub port: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The newest installed server's binaries.
fn server_bin() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect(
            "PostgreSQL server binaries under /usr/lib/postgresql (Debian's postgresql package)",
        )
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .expect("no initdb under /usr/lib/postgresql/*/bin")
        .1
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl PgCluster {
    /// Creates the cluster and starts it; waits until it accepts connections.
    pub fn start() -> Self {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!("soi-pg-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(dir.join("sock")).expect("cluster folder");
        let cluster = Self {
            dir,
            bin: server_bin(),
            as_postgres: is_root(),
            port: free_port(),
        };
        if cluster.as_postgres {
            let owned = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&cluster.dir)
                .status()
                .expect("chown");
            assert!(
                owned.success(),
                "cannot give the cluster folder to postgres"
            );
        }
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                path(&data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        );
        cluster.pg_ctl(&["start", "-w", "-t", "30", "-o", &cluster.server_options()]);
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn server_options(&self) -> String {
        format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c max_connections=60",
            self.port,
            self.dir.join("sock").display()
        )
    }

    /// The URL of `database` on this cluster (the `postgres` superuser).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// `pg_ctl restart -m <mode>`: stops the server (`fast` ends sessions
    /// cleanly, `immediate` kills it as a crash would) and starts it again;
    /// returns when it accepts connections.
    pub fn restart(&self, mode: &str) {
        self.pg_ctl(&[
            "restart",
            "-m",
            mode,
            "-w",
            "-t",
            "30",
            "-o",
            &self.server_options(),
        ]);
    }

    /// `pg_ctl stop -m <mode>`.
    pub fn stop(&self, mode: &str) {
        self.pg_ctl(&["stop", "-m", mode, "-w", "-t", "30"]);
    }

    /// Starts the stopped server again; returns when it accepts connections.
    pub fn start_again(&self) {
        self.pg_ctl(&["start", "-w", "-t", "30", "-o", &self.server_options()]);
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.data();
        let log = self.dir.join("server.log");
        let mut all = vec!["-D", path(&data), "-l", path(&log)];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all);
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program, args).output().expect(program);
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
        );
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let exe = self.bin.join(program);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        c.args(args);
        c
    }

    /// The postmaster's PID, from its pid file (none when stopped).
    fn postmaster_pid(&self) -> Option<i32> {
        std::fs::read_to_string(self.data().join("postmaster.pid"))
            .ok()?
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let stopped = self
            .command(
                "pg_ctl",
                &[
                    "-D",
                    path(&self.data()),
                    "stop",
                    "-m",
                    "immediate",
                    "-w",
                    "-t",
                    "10",
                ],
            )
            .output()
            .is_ok_and(|o| o.status.success());
        if !stopped
            && let Some(pid) = self.postmaster_pid()
            && std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(path(&self.data())))
        {
            // pg_ctl could not stop it: end that one process by its PID (a
            // stale pid file's number may belong to another process now,
            // hence the check of its command line).
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            let start = Instant::now();
            while Path::new(&format!("/proc/{pid}")).exists()
                && start.elapsed() < Duration::from_secs(5)
            {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

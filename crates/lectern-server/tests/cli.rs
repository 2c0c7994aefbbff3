//! The `lectern` command line: settings precedence and input checks.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

fn lectern() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lectern"));
    for variable in [
        "LECTERN_LISTEN",
        "LECTERN_DATA_DIR",
        "LECTERN_DATABASE_URL",
        "LECTERN_CONFIG",
    ] {
        command.env_remove(variable);
    }
    command
}

fn add_user(command: &mut Command, password: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lectern starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(password.as_bytes())
        .expect("password written");
    child.wait_with_output().expect("lectern exits")
}

#[test]
fn user_add_rejects_short_password() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let output = add_user(
        lectern()
            .args([
                "user",
                "add",
                "--email",
                "a@example.org",
                "--name",
                "A",
                "--role",
                "lecturer",
                "--password-stdin",
                "--data-dir",
            ])
            .arg(dir.path()),
        "short",
    );

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("at least 8 characters"), "{stderr}");
}

#[test]
fn user_add_rejects_duplicate_email() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let add = || {
        let mut command = lectern();
        command
            .args([
                "user",
                "add",
                "--email",
                "Ada@Example.org",
                "--name",
                "Ada",
                "--role",
                "admin",
                "--password-stdin",
            ])
            .env("LECTERN_DATA_DIR", dir.path());
        command
    };

    assert!(
        add_user(&mut add(), "long enough password")
            .status
            .success()
    );
    let second = add_user(&mut add(), "long enough password");

    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("ada@example.org already exists"),
        "{stderr}"
    );
    assert!(
        dir.path().join("lectern.db").exists(),
        "LECTERN_DATA_DIR was used"
    );
}

#[test]
fn unknown_config_key_is_named() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("lectern.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nlisten_port = 9\n").expect("config written");

    let output = lectern()
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .expect("lectern runs");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("listen_port"), "{stderr}");
}

#[test]
fn environment_wins_over_config_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let from_file = dir.path().join("from-file");
    let from_env = dir.path().join("from-env");
    let config = dir.path().join("lectern.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = {:?}\n",
            from_file.display().to_string()
        ),
    )
    .expect("config written");

    let mut child = lectern()
        .args(["serve", "--config"])
        .arg(&config)
        .env("LECTERN_DATA_DIR", &from_env)
        .stderr(Stdio::piped())
        .spawn()
        .expect("lectern starts");
    let stderr = child.stderr.take().expect("stderr");
    let listening = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains("url=http://127.0.0.1:"));
    child.kill().expect("stopped");
    let _ = child.wait();

    assert!(
        listening,
        "the server listened on the file's address with port 0"
    );
    assert!(
        from_env.join("lectern.db").exists(),
        "the environment's data directory is used"
    );
    assert!(!from_file.exists(), "the file's data directory is not");
}

#[test]
fn zero_ping_interval_refused_at_start() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("lectern.toml");
    std::fs::write(
        &config,
        "listen = \"127.0.0.1:0\"\n[limits]\nping_interval_secs = 0\noutbox_frames = 0\n",
    )
    .expect("config written");

    let output = lectern()
        .args(["serve", "--config"])
        .arg(&config)
        .env("LECTERN_DATA_DIR", dir.path())
        .output()
        .expect("lectern runs");

    assert!(!output.status.success(), "the server must not start");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("limits.ping_interval_secs must be at least 1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("limits.outbox_frames must be at least 1"),
        "{stderr}"
    );
}

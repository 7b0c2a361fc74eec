//! `cargo xtask ui-test`: the REST API's dashboard (`/ui`) in a real headless browser against a
//! running node. A tracker and two `ipv8 run` nodes start on loopback (bootstrapping only from
//! that tracker); node A's REST API wants a key. Once A lists B as a peer, Debian's Chromium
//! loads A's dashboard with the key in its URL (`/ui?apikey=`), dumps the DOM after some seconds
//! of polling, and takes a screenshot, kept at `target/ui-test/dashboard.png` with the
//! processes' logs beside it.

use std::fs;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};

use crate::project_root;

/// Debian's Chromium.
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long a node may take to print its addresses or to find its peer.
const PATIENCE: Duration = Duration::from_secs(60);
/// How long one browser run may take before it is killed.
const BROWSER_PATIENCE: Duration = Duration::from_secs(90);
/// Node A's REST API key: the page must pass on the one in its URL for its polls to be answered.
const KEY: &str = "ui test key";
/// The page's virtual time in the browser before the DOM is dumped: about six polls, one a
/// second (the browser skips the waits between polls, so this takes well under a real second).
const DOM_VIRTUAL_MS: u32 = 6_000;
/// The page's virtual time before the screenshot: a minute of polls, so the plots have a line.
const SHOT_VIRTUAL_MS: u32 = 60_000;

/// Children that are killed, whatever happens, when this is dropped.
#[derive(Default)]
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A browser in a process group of its own, which is killed whole (its renderers and helpers
/// too) when this is dropped before it ended.
struct Browser(Child);

impl Browser {
    /// Waits for the browser to end, at most [`BROWSER_PATIENCE`].
    fn wait(mut self, name: &str) -> anyhow::Result<std::process::ExitStatus> {
        let deadline = Instant::now() + BROWSER_PATIENCE;
        loop {
            if let Some(status) = self.0.try_wait()? {
                return Ok(status);
            }
            ensure!(Instant::now() < deadline, "chromium ({name}) did not finish in time");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let group = format!("-{}", self.0.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = self.0.wait();
        }
    }
}

/// A node that runs: its UDP address and the port of its REST API.
struct Node {
    /// The address of its UDP socket, `127.0.0.1:PORT`.
    udp: String,
    /// The port of its REST API on 127.0.0.1.
    rest: u16,
}

/// Runs the test; fails with what went wrong, every process it started ended.
pub(crate) fn run() -> anyhow::Result<()> {
    let started = Instant::now();
    ensure_chromium()?;
    build()?;
    let out = project_root().join("target/ui-test");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let mut processes = Processes::default();
    let tracker = start_tracker(&mut processes, &out)?;
    let a = start_node(&mut processes, &out, "a", &tracker, &["--api-key", KEY])?;
    let b = start_node(&mut processes, &out, "b", &tracker, &[])?;
    println!("tracker {tracker}; node A {} (REST {}); node B {}", a.udp, a.rest, b.udp);
    wait_for_peer(&a, &b)?;
    let url = format!("http://127.0.0.1:{}/ui?apikey={}", a.rest, KEY.replace(' ', "+"));
    let dom = browse(&out, DOM_VIRTUAL_MS, &["--dump-dom", &url], "dom")?;
    fs::write(out.join("dom.html"), &dom)?;
    check_dom(&dom, &b)?;
    let screenshot = out.join("dashboard.png");
    let shot = format!("--screenshot={}", screenshot.display());
    browse(&out, SHOT_VIRTUAL_MS, &[&shot, "--window-size=1280,900", &url], "screenshot")?;
    check_png(&screenshot)?;
    check_loopback_only(&out)?;
    drop(processes);
    println!("screenshot: {}", screenshot.display());
    println!("ui-test passed in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Installs Debian's `chromium` (and a font) with apt-get when `/usr/bin/chromium` is missing.
fn ensure_chromium() -> anyhow::Result<()> {
    if Path::new(CHROMIUM).exists() {
        return Ok(());
    }
    println!("==> installing chromium with apt-get");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "chromium", "fonts-dejavu-core"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|status| status.success())
    };
    if !install() {
        let _ = Command::new("apt-get").arg("update").status();
        ensure!(install(), "chromium is missing and could not be installed with apt-get");
    }
    ensure!(Path::new(CHROMIUM).exists(), "{CHROMIUM} is still missing after installing chromium");
    Ok(())
}

/// Builds the debug `ipv8` binary.
fn build() -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "-p", "ipv8-cli"])
        .current_dir(project_root())
        .status()
        .context("starting cargo build")?;
    ensure!(status.success(), "cargo build -p ipv8-cli failed: {status}");
    Ok(())
}

/// Starts `ipv8 args…` in `dir`, its stdout and stderr in `log`.
fn spawn(processes: &mut Processes, dir: &Path, log: &Path, args: &[&str]) -> anyhow::Result<()> {
    let ipv8 = project_root().join("target/debug/ipv8");
    let file = fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let child = Command::new(&ipv8)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .spawn()
        .with_context(|| format!("starting {}", ipv8.display()))?;
    processes.0.push(child);
    Ok(())
}

/// Waits until `log` has a line starting with `prefix`; the rest of that line.
fn wait_for_line(log: &Path, prefix: &str) -> anyhow::Result<String> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let text = fs::read_to_string(log).unwrap_or_default();
        if let Some(rest) = text.lines().find_map(|line| line.strip_prefix(prefix)) {
            return Ok(rest.trim().to_owned());
        }
        if Instant::now() > deadline {
            bail!("{} never printed `{prefix}`:\n{text}", log.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Starts the tracker on a free port of 127.0.0.1; its address.
fn start_tracker(processes: &mut Processes, out: &Path) -> anyhow::Result<String> {
    let log = out.join("tracker.log");
    let args = ["tracker", "--ip", "127.0.0.1", "--listen-port", "0"];
    spawn(processes, out, &log, &args)?;
    wait_for_line(&log, "tracker listening on ")
}

/// Starts `ipv8 run` named `name` on loopback, bootstrapping from `tracker` only, with its REST
/// API on a free port, its keys in a directory of its own and `extra` options.
fn start_node(
    processes: &mut Processes,
    out: &Path,
    name: &str,
    tracker: &str,
    extra: &[&str],
) -> anyhow::Result<Node> {
    let dir = out.join(name);
    fs::create_dir_all(&dir)?;
    let log = out.join(format!("{name}.log"));
    let local = format!(
        "run --ip 127.0.0.1 --port 0 --bootstrap {tracker} --working-directory . --rest-port 0 \
         --direct-pseudonyms"
    );
    let args: Vec<&str> = local.split_whitespace().chain(extra.iter().copied()).collect();
    spawn(processes, &dir, &log, &args)?;
    let listening = wait_for_line(&log, "node ")?;
    let udp = listening.rsplit(' ').next().unwrap_or_default().to_owned();
    let rest = wait_for_line(&log, "REST API on http://127.0.0.1:")?;
    let rest = rest.parse().with_context(|| format!("a REST port in {rest:?}"))?;
    Ok(Node { udp, rest })
}

/// GET `path` with the API key from the REST API at `port`; the body.
fn get(port: u16, path: &str) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let head = format!("Host: 127.0.0.1\r\nX-Api-Key: {KEY}\r\nConnection: close\r\n");
    write!(stream, "GET {path} HTTP/1.1\r\n{head}\r\n")?;
    let mut text = String::new();
    stream.read_to_string(&mut text)?;
    Ok(text.split_once("\r\n\r\n").map_or_else(String::new, |(_, body)| body.to_owned()))
}

/// Waits until node A's snapshot lists node B's address as a peer's.
fn wait_for_peer(a: &Node, b: &Node) -> anyhow::Result<()> {
    let wanted = format!("\"address\":\"{}\"", b.udp);
    let deadline = Instant::now() + PATIENCE;
    loop {
        let body = get(a.rest, "/ui/snapshot").unwrap_or_default();
        if body.contains(&wanted) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("node A never listed node B ({}) as a peer: {body}", b.udp);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Runs headless Chromium with a fresh profile, `virtual_ms` of the page's virtual time and
/// `args`; what it printed on stdout.
fn browse(out: &Path, virtual_ms: u32, args: &[&str], name: &str) -> anyhow::Result<String> {
    let profile = out.join(format!("profile-{name}"));
    let stdout = out.join(format!("chromium-{name}.out"));
    let stderr = out.join(format!("chromium-{name}.log"));
    let mut command = Command::new(CHROMIUM);
    command.args(chromium_flags(&profile, virtual_ms)).args(args);
    command.stdin(Stdio::null()).stdout(fs::File::create(&stdout)?);
    command.stderr(fs::File::create(&stderr)?).process_group(0);
    let browser = Browser(command.spawn().context("starting chromium")?);
    let status = browser.wait(name)?;
    let _ = fs::remove_dir_all(&profile);
    let printed = fs::read_to_string(&stdout).unwrap_or_default();
    if !status.success() {
        let log = fs::read_to_string(&stderr).unwrap_or_default();
        bail!("chromium ({name}) failed: {status}\n{log}");
    }
    Ok(printed)
}

/// Headless, no sandbox (root in a container), nothing fetched but the page: no updates,
/// sync, component downloads or QUIC.
fn chromium_flags(profile: &Path, virtual_ms: u32) -> Vec<String> {
    let fixed = "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic \
                 --no-first-run --no-default-browser-check --disable-background-networking \
                 --disable-component-update --disable-sync --disable-extensions \
                 --disable-default-apps --no-pings --hide-scrollbars";
    let mut flags: Vec<String> = fixed.split_whitespace().map(str::to_owned).collect();
    flags.push(format!("--user-data-dir={}", profile.display()));
    flags.push(format!("--virtual-time-budget={virtual_ms}"));
    flags
}

/// The dumped page lists node B in a row of class `peer`, drew its plots and polled at least
/// twice.
fn check_dom(dom: &str, b: &Node) -> anyhow::Result<()> {
    let row = format!("data-address=\"{}\"", b.udp);
    ensure!(dom.contains("class=\"peer\""), "the page lists no peer:\n{dom}");
    ensure!(dom.contains(&row), "the page does not list node B ({}):\n{dom}", b.udp);
    ensure!(dom.contains("<polyline"), "the page drew no plot:\n{dom}");
    let updates = number_after(dom, "<span id=\"updates\">").unwrap_or(0);
    ensure!(updates >= 2, "the page updated {updates} times, not at least twice:\n{dom}");
    println!("the page listed node B ({}) and updated {updates} times", b.udp);
    Ok(())
}

/// The number right after `marker` in `text`.
fn number_after(text: &str, marker: &str) -> Option<u64> {
    let (_, rest) = text.split_once(marker)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The screenshot is a PNG of some size (a blank page compresses to a few hundred bytes).
fn check_png(path: &Path) -> anyhow::Result<()> {
    let bytes = fs::read(path).with_context(|| format!("no screenshot at {}", path.display()))?;
    ensure!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", path.display());
    ensure!(bytes.len() > 20_000, "{} is only {} bytes", path.display(), bytes.len());
    Ok(())
}

/// Neither node was told of a bootstrap server beyond this machine.
fn check_loopback_only(out: &Path) -> anyhow::Result<()> {
    for name in ["a", "b"] {
        let log = fs::read_to_string(out.join(format!("{name}.log")))?;
        ensure!(!log.contains("bootstrapping beyond this machine"), "node {name}: {log}");
    }
    Ok(())
}

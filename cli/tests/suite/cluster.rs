//! The cluster examples of `examples/cluster/` run for real: the Slurm scripts under a stand-in
//! `sbatch` that runs an array's tasks (with `SLURM_ARRAY_TASK_ID`) and the merge job, the
//! Kubernetes pods' command with `JOB_COMPLETION_INDEX`, and GNU parallel where it is installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use mlds_core::run_file::RunFile;
use mlds_core::Event;

const E5: &str = "exp=minratio&runs=3&epochs=40&steps=3&samples=32";

/// Slurm's `sbatch`, standing in: an `--array=A-B` job runs its tasks one after another, a
/// `--wrap` job runs its command; either prints a job id, as `--parsable` does.
const FAKE_SBATCH: &str = r#"#!/bin/bash
array=""; wrap=""; script=()
while [ $# -gt 0 ]; do
  case "$1" in
    --array=*) array=${1#--array=} ;;
    --wrap) wrap=$2; shift ;;
    --*) ;;
    *) script+=("$1") ;;
  esac
  shift
done
if [ -n "$wrap" ]; then bash -c "$wrap" >&2 || exit 1; echo 2; exit 0; fi
for i in $(seq "${array%-*}" "${array#*-}"); do
  SLURM_ARRAY_TASK_ID=$i bash "${script[@]}" >&2 || exit 1
done
echo 1
"#;

/// A fresh folder with a `bin/` that holds `mlds` and a stand-in `sbatch`, and a PATH for it.
fn setup(name: &str) -> (PathBuf, String) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_mlds"), bin.join("mlds")).unwrap();
    std::fs::write(bin.join("sbatch"), FAKE_SBATCH).unwrap();
    let executable = std::os::unix::fs::PermissionsExt::from_mode(0o755);
    std::fs::set_permissions(bin.join("sbatch"), executable).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (dir, path)
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/cluster")
        .join(name)
}

fn bash(dir: &Path, path: &str, script: &str, args: &[&str], envs: &[(&str, &str)]) {
    let out = Command::new("bash")
        .arg(script)
        .args(args)
        .env("PATH", path)
        .envs(envs.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} {args:?}: {log}");
}

/// The merged run: every unit's two critical points (one per protocol), done.
fn check_run(path: &Path) {
    let file = RunFile::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let points = file
        .events
        .iter()
        .filter(|e| matches!(e, Event::CriticalPoint { .. }))
        .count();
    assert_eq!(points, 2 * 3, "{}", path.display());
    assert!(matches!(file.end(), Some(Event::Done { .. })));
    assert_eq!(file.query, RunFile::parse(&file.to_json()).unwrap().query);
}

#[test]
fn slurm_job_array_then_merge() {
    let (dir, path) = setup("slurm");
    let submit = example("slurm-submit.sh");
    bash(&dir, &path, submit.to_str().unwrap(), &[E5, "runs/e5"], &[]);
    for i in 0..3 {
        assert!(dir.join(format!("runs/e5/unit-{i}.json")).is_file());
    }
    check_run(&dir.join("runs/e5/run.json"));
}

/// Run `command` with `sh -c` in `dir`, `mlds` on `path`, with `env`; it must succeed.
fn shell(command: &str, dir: &Path, path: &str, env: &[(&str, &str)]) {
    let out = Command::new("sh")
        .args(["-c", command])
        .env("PATH", path)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn kubernetes_pods_command_with_their_index() {
    let (dir, path) = setup("k8s");
    let yaml = std::fs::read_to_string(example("k8s-indexed-job.yaml")).unwrap();
    // The pods' shell command, as the Job gives it to `sh -c`, writing here instead of /runs.
    let command = yaml
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("- exec mlds run"))
        .map(|rest| format!("exec mlds run{}", rest.replace("/runs/", "./")))
        .expect("the pods run mlds");
    for i in ["0", "1", "2"] {
        shell(
            &command,
            &dir,
            &path,
            &[("QUERY", E5), ("JOB_COMPLETION_INDEX", i)],
        );
    }
    let merge = std::fs::read_to_string(example("k8s-merge-job.yaml")).unwrap();
    assert!(merge.contains("exec mlds merge /runs/unit-*.json --out /runs/run.json"));
    shell(
        "exec mlds merge ./unit-*.json --out ./run.json",
        &dir,
        &path,
        &[],
    );
    check_run(&dir.join("run.json"));
}

#[test]
fn gnu_parallel_on_one_machine() {
    let (dir, path) = setup("parallel");
    let found = Command::new("parallel").arg("--version").output();
    if !found.is_ok_and(|o| o.status.success()) {
        eprintln!("GNU parallel is not installed: gnu-parallel.sh not tried");
        return;
    }
    let script = example("gnu-parallel.sh");
    bash(
        &dir,
        &path,
        script.to_str().unwrap(),
        &[E5, "out"],
        &[("JOBS", "2")],
    );
    check_run(&dir.join("out/run.json"));
}

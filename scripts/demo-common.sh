# What the demo scripts share (sourced, not run): the terrane binary, the emulator, and a
# copy of an example laid out as the course has it (examples/<name> next to modules/).
#
# Environment: TERRANE_BIN (a terrane binary to use instead of building),
#              DEMO_PAUSE (seconds between steps; default 0).

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
pause=${DEMO_PAUSE:-0}
python="$repo/tests/aws-emulator/.venv/bin/python"

step() {
    printf '\n\033[1m==> %s\033[0m\n' "$*"
    sleep "$pause"
}

if [[ -n "${TERRANE_BIN:-}" ]]; then
    terrane=$TERRANE_BIN
else
    step "Building terrane"
    cargo build --quiet --manifest-path "$repo/Cargo.toml"
    terrane="${CARGO_TARGET_DIR:-$repo/target}/debug/terrane"
fi

work=$(mktemp -d)
emulator_pid=""
sampler_pid=""
cleanup() {
    [[ -n "$sampler_pid" ]] && kill "$sampler_pid" 2>/dev/null || true
    [[ -n "$emulator_pid" ]] && kill "$emulator_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Starts the emulator and points the AWS environment at it.
start_emulator() {
    step "Starting the AWS emulator (moto on 127.0.0.1)"
    coproc EMULATOR { exec "$repo/scripts/aws-emulator"; }
    emulator_pid=$EMULATOR_PID
    read -r line <&"${EMULATOR[0]}"
    export "${line?}"
    echo "$line"
    export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
    export AWS_DEFAULT_REGION=us-east-1
    export AWS_EC2_METADATA_DISABLED=true TERRANE_AWS_POLL_MS=${TERRANE_AWS_POLL_MS:-200}
    unset AWS_PROFILE AWS_SESSION_TOKEN
}

# Copies examples/$1 and modules/ into the working directory; sets $dir to the example.
copy_example() {
    mkdir -p "$work/examples"
    cp -r "$repo/examples/$1" "$work/examples/$1"
    rm -rf "$work/examples/$1/.terraform" "$work/examples/$1"/*.tfstate*
    cp -r "$repo/modules" "$work/modules"
    dir="$work/examples/$1"
}

tf() { "$terrane" -chdir="$dir" "$@"; }
